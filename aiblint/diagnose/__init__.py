"""`aiblint diagnose`: name the documented failure in a customization.log or an error message.

The input is read line by line (a 100 MB log in bounded memory). Each line may be:
a phase marker (deployment, deployment status, SSH/WinRM connect, customizers, the hidden
deprovisioning step, cleanup, distribution); a customizer start or end
(`(telemetry) Starting provisioner X` / `ending X`, with or without the
`[guid] PACKER OUT/ERR` prefix); or the evidence of a failure signature
(aiblint/data/signatures.json). A keyword prefilter keeps the regular expressions off the
millions of lines that match none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "signatures.json"
MAX_EVIDENCE = 400  # characters of a line kept as evidence

_PREFIX = re.compile(r"^\s*(\d{4}-\d\d-\d\dT[\d:.]+Z\s+)?(\[[0-9a-fA-F-]{8,}\]\s*)?(PACKER (OUT|ERR)\s?)?")
_START = re.compile(r"\(telemetry\) Starting provisioner ([\w-]+)")
_END = re.compile(r"\(telemetry\) ending ([\w-]+)")
_DEPROVISION = re.compile(r"Found command: .*DeprovisioningScript", re.I)
_PHASES = [
    (
        "cleanup",
        re.compile(r'method="DELETE"|deleting individual resources|Deleting (the )?(resource group|temporary)|Cleanup', re.I),
    ),
    ("distribution", re.compile(r"Failed in distributing|Capturing image|Publishing|Distribute \d|shared image gallery", re.I)),
    ("connect", re.compile(r"Waiting for (WinRM|SSH)|WinRM connected|Connected to SSH", re.I)),
    ("deployment-status", re.compile(r"operationStatuses|Deployment status", re.I)),
    ("deployment", re.compile(r'Deploying deployment template|request method="POST"|Starting deployment', re.I)),
]
_PHASE_KEYWORDS = re.compile(
    r"DELETE|deleting|Deleting|Cleanup|distribut|Capturing|Publishing|Distribute|shared image gallery|WinRM|SSH|operationStatuses|Deployment|Deploying|POST|telemetry|Found command",
    re.I,
)


@dataclass
class Signature:
    id: str
    title: str
    cause: str
    fix: str
    rules: list[str]
    patterns: list[re.Pattern[str]]
    unless: re.Pattern[str] | None
    phase: str | None
    last: bool
    variants: list[dict[str, Any]]


@lru_cache(maxsize=1)
def signatures() -> tuple[list[Signature], re.Pattern[str]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    found = []
    keywords = []
    for item in data["signatures"]:
        patterns = [re.compile(p, re.I) for p in item["patterns"]]
        variants = [dict(v, pattern=re.compile(v["pattern"], re.I)) for v in item.get("variants", [])]
        found.append(
            Signature(
                item["id"],
                item["title"],
                item["cause"],
                item["fix"],
                item["rules"],
                patterns,
                re.compile(item["unless"], re.I) if item.get("unless") else None,
                item.get("phase"),
                bool(item.get("last")),
                variants,
            )
        )
        for pattern in item["patterns"]:
            # the longest literal run of each pattern is a cheap first test
            literal = max(re.split(r"\\.|[()\[\]{}.*+?^$|]", pattern), key=len)
            keywords.append(re.escape(literal.strip()))
    prefilter = re.compile("|".join(sorted({k for k in keywords if k}, key=len, reverse=True)), re.I)
    return found, prefilter


@lru_cache(maxsize=1)
def _anything() -> re.Pattern[str]:
    """One case-sensitive test for 'this line may matter': most log lines do not."""
    sigs, _ = signatures()
    literals: set[str] = {"telemetry", "Found command"}
    for signature in sigs:
        for pattern in signature.patterns:
            literal = max(re.split(r"\\.|[()\[\]{}.*+?^$|]", pattern.pattern), key=len).strip()
            if literal:
                literals.update({literal, literal.lower(), literal.capitalize()})
    for _, pattern in _PHASES:
        for alternative in pattern.pattern.split("|"):
            literal = max(re.split(r"\\.|[()\[\]{}.*+?^$|]", alternative), key=len).strip().strip('"=')
            if len(literal) > 3:
                literals.update({literal, literal.lower(), literal.capitalize()})
    return re.compile("|".join(re.escape(x) for x in sorted(literals, key=len, reverse=True)))


@dataclass
class Step:
    name: str
    started_line: int
    ended: bool = False
    deprovisioning: bool = False
    template: dict[str, Any] | None = None


@dataclass
class Failure:
    signature: Signature
    line: int
    text: str
    rules: list[str]
    cause: str


@dataclass
class Diagnosis:
    failures: list[Failure] = field(default_factory=list)
    phase: str | None = None
    steps: list[Step] = field(default_factory=list)
    lines: int = 0
    phases_seen: list[str] = field(default_factory=list)  # in the order the log reached them

    @property
    def failed_step(self) -> Step | None:
        open_steps = [s for s in self.steps if not s.ended]
        return open_steps[-1] if open_steps else None

    def to_json(self) -> dict[str, Any]:
        failed = self.failed_step
        document: dict[str, Any] = {
            "failures": [
                {
                    "id": f.signature.id,
                    "title": f.signature.title,
                    "cause": f.cause,
                    "fix": f.signature.fix,
                    "rules": f.rules,
                    "evidence": {"line": f.line, "text": f.text},
                }
                for f in self.failures
            ],
            "phase": self.phase,
            "customizers": [
                {
                    "name": s.name,
                    "started_line": s.started_line,
                    "ended": s.ended,
                    **({"deprovisioning": True} if s.deprovisioning else {}),
                    **({"template": s.template} if s.template else {}),
                }
                for s in self.steps
            ],
            "failed_customizer": None
            if failed is None or failed.deprovisioning
            else (failed.template["name"] if failed.template and failed.template.get("name") else failed.name),
        }
        if failed is not None and failed.template is not None and not failed.deprovisioning:
            document["failed_customizer_position"] = failed.template
        return document


@lru_cache(maxsize=1)
def _anything_bytes() -> re.Pattern[bytes]:
    return re.compile(_anything().pattern.encode("utf-8"))


def diagnose(lines: Iterable[str] | Iterable[bytes]) -> Diagnosis:
    """Lines as text, or as raw bytes (a file opened in binary: only candidates are decoded)."""
    sigs, prefilter = signatures()
    result = Diagnosis()
    first: dict[str, Failure] = {}
    phase_at_failure: str | None = None
    phase: str | None = None
    anything = _anything().search
    anything_bytes = _anything_bytes().search
    number = 0
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, bytes):
            if not anything_bytes(raw):
                continue
            text = raw.decode("utf-8", errors="replace")
        else:
            text = str(raw)
            if not anything(text):
                continue
        line = _PREFIX.sub("", text.rstrip("\r\n"), count=1)
        if "telemetry" in line or "Found command" in line:
            start = _START.search(line)
            if start:
                result.steps.append(Step(start.group(1), number))
                phase = "customization"
            else:
                end = _END.search(line)
                if end:
                    for step in reversed(result.steps):
                        if step.name == end.group(1) and not step.ended:
                            step.ended = True
                            break
                elif _DEPROVISION.search(line) and result.steps and not result.steps[-1].ended:
                    result.steps[-1].deprovisioning = True
                    phase = "deprovisioning"
        elif _PHASE_KEYWORDS.search(line):
            for name, pattern in _PHASES:
                if pattern.search(line):
                    if not (name == "connect" and phase in ("customization", "deprovisioning")):
                        phase = name
                    break
        if phase is not None and phase not in result.phases_seen:
            result.phases_seen.append(phase)
        if not prefilter.search(line):
            continue
        for signature in sigs:
            if signature.unless is not None and signature.unless.search(line):
                continue
            if any(p.search(line) for p in signature.patterns):
                if signature.id not in first:
                    rules, cause = signature.rules, signature.cause
                    for variant in signature.variants:
                        if variant["pattern"].search(line):
                            rules, cause = variant["rules"], variant["cause"]
                    first[signature.id] = Failure(signature, number, line.strip()[:MAX_EVIDENCE], rules, cause)
                    if phase_at_failure is None and not signature.last:
                        phase_at_failure = phase or signature.phase
                break  # the most specific signature claims the line
    result.lines = number
    ordered = sorted(first.values(), key=lambda f: (f.signature.last, f.line))
    result.failures = ordered
    result.phase = phase_at_failure or phase or (ordered[0].signature.phase if ordered else None)
    return result


_KINDS = {
    "shell": "shell",
    "powershell": "powershell",
    "file": "file",
    "windowsrestart": "windows-restart",
    "windowsupdate": "windows-update",
}


def attach_template(diagnosis: Diagnosis, path: Path, display: str) -> None:
    """Name each provisioner after the template customizer it ran: the n-th `powershell`
    provisioner is the n-th PowerShell customizer."""
    from aiblint.armeval import Resolver
    from aiblint.jsontree import parse
    from aiblint.locate import locate
    from aiblint.model import Template

    document = parse(path.read_text(encoding="utf-8-sig"))
    located = locate(document)
    if not located:
        return
    template = Template(located[0], Resolver(located[0].deployment))
    by_kind: dict[str, list[Any]] = {}
    for customizer_step in template.customizers:
        by_kind.setdefault(_KINDS.get(customizer_step.kind, customizer_step.kind), []).append(customizer_step)
    seen: dict[str, int] = {}
    for step in diagnosis.steps:
        if step.deprovisioning:
            continue
        index = seen.get(step.name, 0)
        seen[step.name] = index + 1
        candidates = by_kind.get(step.name, [])
        if index < len(candidates):
            customizer = candidates[index]
            line = document.lines.position(customizer.node.start)[0]
            step.template = {
                "name": customizer.name or f"customize[{customizer.index}]",
                "index": customizer.index,
                "file": display,
                "line": line,
            }
