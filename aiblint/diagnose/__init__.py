"""`aiblint diagnose`: name the failure in a customization.log, an error message or a paste of either.

The input streams through in bounded memory (reader.py: regular files or stdin only, UTF-8 or
UTF-16, any line end, lines cut at MAX_LINE). A cheap case-insensitive prefilter keeps everything
else off the 95% of log lines that matter to nothing. Each remaining line is unwrapped from what a
paste adds (markdown quotes, ANSI colours, `[guid] PACKER OUT` prefixes, timestamps), fed to the
phase and step tracker (steps.py), kept if it looks like an error (for an honest "unknown"), and
matched against the signatures (signatures.py, aiblint/data/signatures.json).

The root cause is the first failure in time; generic consequences (`last`) follow, and harmless
warnings the guide says to ignore are listed apart, never as the cause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from aiblint.diagnose import reader
from aiblint.diagnose.exitcodes import Explanation, explain
from aiblint.diagnose.signatures import ASCII_LOWER, Signature, candidates, first_literals, lowered_trie, prefilter
from aiblint.diagnose.signatures import load as _load
from aiblint.diagnose.steps import PHASE_HINT, PhaseMark, Step, Tracker
from aiblint.diagnose.unknown import NearMiss, nearest

MAX_EVIDENCE = 400  # characters of a line kept as evidence
MAX_ERROR_LINES = 20
_ERROR_WORDS = (
    "error", "fail", "denied", "exception", "fatal", "not found", "exit status", "timed out", "timeout", "cancel",
    "abort", "unable to", "cannot", "could not", "forbidden", "conflict",
)  # fmt: skip
_ERRORISH = re.compile("|".join(_ERROR_WORDS))  # on ASCII-lowercased text
_STEP_WORDS = ("telemetry", "packer-", "script-", "script_", "Windows update script", "DeprovisioningScript", ".ps1")


def signatures() -> tuple[list[Signature], re.Pattern[str]]:
    return _load(), prefilter()


@lru_cache(maxsize=1)
def _candidate() -> re.Pattern[str]:
    """One test for 'this line may matter' on ASCII-lowercased text: a signature literal, a step or
    phase word, an error word."""
    words = {w for w in first_literals()} | set(_STEP_WORDS)
    words.update(PHASE_HINT.pattern.split("|"))
    words.update(_ERROR_WORDS)
    words.update(("exited with code", "exit status"))
    return lowered_trie(words)


@dataclass
class Failure:
    signature: Signature
    line: int
    text: str
    rules: list[str]
    cause: str
    fix: str
    harmless: bool
    phase: PhaseMark | None = None
    step: Step | None = None
    exit: Explanation | None = None
    exit_line: int | None = None


@dataclass
class Diagnosis:
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    phase: str | None = None
    phase_evidence: PhaseMark | None = None
    lines: int = 0
    tracker: Tracker = field(default_factory=Tracker)
    error_lines: list[tuple[int, str]] = field(default_factory=list)
    error_line_count: int = 0
    near: list[NearMiss] = field(default_factory=list)

    @property
    def steps(self) -> list[Step]:
        return list(self.tracker.steps)

    @property
    def phases_seen(self) -> list[str]:
        return self.tracker.phases_seen

    @property
    def failed_step(self) -> Step | None:
        root = self.failures[0] if self.failures else None
        if root is not None and root.step is not None:
            return root.step
        if root is not None and self.phase not in (None, "customization", "deprovisioning"):
            return None  # a deployment, connection or distribution failure is no customizer's
        return self.tracker.last_open

    def to_json(self) -> dict[str, Any]:
        from aiblint.diagnose.output import to_json

        return to_json(self)


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _failure(signature: Signature, groups: dict[str, str], number: int, line: str) -> Failure:
    rules, cause, harmless = signature.rules, signature.cause, signature.harmless
    for variant in signature.variants:
        if variant["pattern"].search(line) is not None:
            rules, cause = variant["rules"], variant["cause"]
            harmless = variant.get("harmless", harmless)
    values = dict(signature.defaults)
    values.update(groups)
    failure = Failure(signature, number, line[:MAX_EVIDENCE], rules, _fill(cause, values), _fill(signature.fix, values), harmless)
    _attach_exit(failure, groups, number)
    return failure


def _attach_exit(failure: Failure, groups: dict[str, str], number: int) -> None:
    if not failure.signature.exit_code or failure.exit is not None or not groups.get("code"):
        return
    explanation = explain(int(groups["code"]))
    failure.exit, failure.exit_line = explanation, number
    failure.cause = f"{failure.cause} Exit code {explanation.code}: {explanation.meaning}."
    if explanation.success and explanation.fix:
        failure.fix = explanation.fix
    elif explanation.fix:
        failure.fix = f"{failure.fix} {explanation.fix}"


class _Scan:
    """The state of one pass over the input."""

    def __init__(self) -> None:
        self.sigs, self.prefilter = signatures()
        self.candidate = _candidate()
        self.result = Diagnosis()
        self.found: dict[str, Failure] = {}
        self.unless_hits: dict[str, str] = {}

    def block(self, text: str, number: int) -> int:
        """Whole lines, each ended by \\n, the first being line `number`; returns the next line's number.
        Only lines the prefilter finds are looked at: one pass of one regex over the block."""
        if "\x1b" in text:
            text = reader.strip_ansi(text)  # colour codes may split the very words the prefilter looks for
        lowered = text.translate(ASCII_LOWER)
        search = self.candidate.search
        counted = 0  # position up to which line ends are counted
        position = 0
        while True:
            found = search(lowered, position)
            if found is None:
                break
            start = text.rfind("\n", 0, found.start()) + 1
            end = text.find("\n", found.start())
            number += text.count("\n", counted, start)
            counted = start
            self.line(number, text[start : min(end, start + reader.MAX_LINE)])
            position = end + 1
        return number + text.count("\n", counted)

    def line(self, number: int, raw: str) -> None:
        """One line that the prefilter found."""
        line = reader.normalise(raw)
        if not line or reader.FENCE.match(line):
            return
        tracker = self.result.tracker
        tracker.feed(number, line)
        lowered = line.translate(ASCII_LOWER)
        if _ERRORISH.search(lowered):
            self.result.error_line_count += 1
            if len(self.result.error_lines) < MAX_ERROR_LINES:
                self.result.error_lines.append((number, line[:MAX_EVIDENCE]))
        if self.prefilter.search(lowered):
            self._match(number, line, candidates(lowered))

    def _match(self, number: int, line: str, indexes: list[int]) -> None:
        tracker = self.result.tracker
        for index in indexes:
            signature = self.sigs[index]
            groups = signature.match(line)
            if groups is None:
                continue
            if signature.unless is not None and signature.unless.search(line):
                self.unless_hits.setdefault(
                    signature.id, f"line {number} has its text but also `{signature.unless.pattern}`, which rules it out"
                )
                continue
            known = self.found.get(signature.id)
            if known is None:
                failure = _failure(signature, groups, number, line)
                failure.phase = self._phase(signature, number, line)
                failure.step = tracker.current if tracker.current is not None and not tracker.current.ended else None
                self.found[signature.id] = failure
            else:
                _attach_exit(known, groups, number)
            return  # the most specific signature claims the line

    def _phase(self, signature: Signature, number: int, line: str) -> PhaseMark | None:
        tracker = self.result.tracker
        if signature.phase and signature.phase_certain:
            return PhaseMark(signature.phase, number, line[:MAX_EVIDENCE])
        if tracker.phase is not None:
            return tracker.phase
        if signature.phase:
            return PhaseMark(signature.phase, number, line[:MAX_EVIDENCE])
        return None

    def finish(self, lines: int) -> Diagnosis:
        result = self.result
        result.lines = lines
        found = {k: v for k, v in self.found.items() if not any(i in self.found for i in v.signature.implied_by)}
        ordered = sorted(found.values(), key=lambda f: (f.signature.last, f.line))
        result.failures = [f for f in ordered if not f.harmless]
        result.warnings = [f for f in ordered if f.harmless]
        root = result.failures[0] if result.failures else None
        mark = root.phase if root is not None else result.tracker.phase
        result.phase, result.phase_evidence = (mark.name, mark) if mark is not None else (None, None)
        if not result.failures:
            result.near = nearest(self.sigs, result.error_lines, self.unless_hits)
        return result


def diagnose(lines: Iterable[str] | Iterable[bytes]) -> Diagnosis:
    """Lines of text (or of UTF-8 bytes), each with or without its line end."""
    scan = _Scan()
    number = 1
    pending: list[str] = []
    size = 0
    for raw in lines:
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        text = text.rstrip("\r\n")[: reader.MAX_LINE].replace("\r", "\n")
        pending.append(text)
        size += len(text)
        if size > reader.CHUNK:
            number = scan.block("\n".join(pending) + "\n", number)
            pending, size = [], 0
    if pending:
        number = scan.block("\n".join(pending) + "\n", number)
    return scan.finish(number - 1)


def diagnose_stream(stream: BinaryIO, limit: int = reader.MAX_INPUT) -> Diagnosis:
    """A binary stream decoded as a user saved it (reader.blocks)."""
    scan = _Scan()
    number = 1
    for block in reader.blocks(stream, limit):
        number = scan.block(block, number)
    return scan.finish(number - 1)


def diagnose_bytes(data: bytes) -> Diagnosis:
    import io

    return diagnose_stream(io.BytesIO(data))


def diagnose_path(path: str) -> Diagnosis:
    with reader.open_regular(path) as handle:
        return diagnose_stream(handle)


_KINDS = {
    "shell": "shell",
    "powershell": "powershell",
    "file": "file",
    "windowsrestart": "windows-restart",
    "windowsupdate": "windows-update",
}


def attach_template(diagnosis: Diagnosis, path: Path, display: str) -> None:
    """Name the failed step after the template customizer it ran: the n-th `powershell`
    provisioner is the n-th PowerShell customizer (the hidden deprovisioning step not counted)."""
    from aiblint.armeval import Resolver
    from aiblint.jsontree import parse
    from aiblint.locate import locate
    from aiblint.model import Template

    with reader.open_regular(str(path), reader.MAX_TEMPLATE) as handle:
        text = "".join(reader.text_chunks(handle, reader.MAX_TEMPLATE))
    document = parse(text)
    located = locate(document)
    if not located:
        return
    template = Template(located[0], Resolver(located[0].deployment))
    by_kind: dict[str, list[Any]] = {}
    for customizer_step in template.customizers:
        by_kind.setdefault(_KINDS.get(customizer_step.kind, customizer_step.kind), []).append(customizer_step)
    failed = diagnosis.failed_step
    steps = diagnosis.steps
    if failed is not None and all(failed is not step for step in steps):
        steps.append(failed)  # it left the bounded list of steps, but it is the one to name
    for step in steps:
        if step.deprovisioning:
            continue
        candidates = by_kind.get(step.name, [])
        if step.ordinal < len(candidates):
            customizer = candidates[step.ordinal]
            line = document.lines.position(customizer.node.start)[0]
            step.template = {
                "name": customizer.name or f"customize[{customizer.index}]",
                "index": customizer.index,
                "file": display,
                "line": line,
            }
