"""Find every script of a template, parse it once, map the script rules' findings back.

Scripts come from Shell/PowerShell customizers and in-VM validators (``inline``), and
from local files that a ``scriptUri`` maps to through the ``script-roots`` config. Each
is parsed once; every rule of its language reads the same model. Findings are turned
into file spans here, and suppression comments are applied here, once for both
languages.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiblint.arm import is_expression
from aiblint.armtext import EvalString
from aiblint.diagnostics import Finding, Fix, Severity, Span
from aiblint.jsontree import ArrayNode, StringNode
from aiblint.model import Step
from aiblint.scripts.spans import ScriptSource
from aiblint.suppress import ScriptComment, apply_suppressions

if TYPE_CHECKING:
    from aiblint.template import TemplateContext

LANGUAGES = {"shell": "shell", "powershell": "powershell"}


@dataclass
class Script:
    language: str  # "shell" | "powershell"
    source: ScriptSource
    step: Step | None
    origin: str  # "inline" | "file"
    findings: list[tuple[int, Finding]] = field(default_factory=list)
    too_deep: bool = False  # nested past Python's recursion limit: analysed as empty
    # What template-level rules read from the model, kept after it is freed (script_costs, script_secrets)
    summaries: dict[str, Any] = field(default_factory=dict)

    def release_model(self) -> None:
        """Free the command model: a file's scripts are then never all in memory at once."""
        self.__dict__.pop("model", None)

    @cached_property
    def model(self) -> Any:
        build: Callable[[str], Any]
        if self.language == "shell":
            from aiblint.scripts.shell import analyse as build
        else:
            from aiblint.scripts.powershell import analyse as build
        try:
            return build(self.source.text)
        except RecursionError:  # thousands of nested ( ) or $( ): no real script
            self.too_deep = True
            return self.empty_model()

    def empty_model(self) -> Any:
        """A model with no commands: what the rules read of a script that could not be analysed."""
        if self.language == "shell":
            from aiblint.scripts.shell import ShellModel

            return ShellModel(self.source.text)
        from aiblint.scripts.powershell import PsModel

        return PsModel(self.source.text)


class ScriptContext:
    """What a script rule is handed: the model, the template around it, and report()."""

    def __init__(self, template: TemplateContext, script: Script) -> None:
        self.template = template
        self.script = script
        self.source = script.source
        self.model = script.model

    @property
    def step(self) -> Step | None:
        return self.script.step

    @property
    def is_inline(self) -> bool:
        return self.script.origin == "inline"

    def enabled(self, code: str) -> bool:
        return self.template.enabled(code)

    def report(
        self,
        code: str,
        start: int,
        end: int,
        message: str,
        severity: Severity | None = None,
        insert: tuple[int, str] | None = None,
        edits: tuple[tuple[int, int, str], ...] = (),
        safe: bool = True,
    ) -> None:
        """An unambiguous fix: ``insert`` text at a script offset, or ``edits`` (script start,
        end, replacement); ``safe=False`` for one that also decides something (--unsafe-fixes)."""
        source = self.source
        line = source.line_of(start)
        span = source.file_span(start, end)
        anchor = f"{line_anchor(source.line_text(line))}"
        file = source.file_of(start) or source.line_file(line)
        if insert is not None:
            edits = ((insert[0], insert[0], insert[1]), *edits)
        fix = self._fix(file, edits, safe) if edits else None
        loaded_by = source.line_loaded_by(line)
        related: tuple[tuple[str | None, int, int, str], ...] = (
            ((*loaded_by, "the script is loaded here"),) if loaded_by is not None else ()
        )
        if source.via is not None:  # the expression that brought the script (a variable, a parameter)
            related += ((None, source.via[1].start, source.via[1].end, source.via[0]),)
        finding = Finding(code, message, span, source.line_pointer(line), severity, anchor, file, fix, related)
        self.script.findings.append((line, finding))

    def _fix(self, file: str | None, edits: tuple[tuple[int, int, str], ...], safe: bool) -> Fix | None:
        """The script edits as file edits; never through an expression. A Bicep or Terraform
        file writes them in its own syntax, or says why it cannot."""
        source = self.source
        edit_map = self.template.document.edit_map
        if file is not None or source.via is not None:
            if edit_map is None:
                return None
            where = f"the script is written in {file}: fix it there" if file else "the script comes through an expression"
            return Fix.withheld_because(where)
        file_edits = tuple((source.file_offset(a), source.file_offset(b), text) for a, b, text in edits)
        if edit_map is None:
            return Fix(file_edits, safe)
        if any(not _contiguous(source, a, b) for a, b, _ in edits):
            return Fix.withheld_because("the text to change is assembled from several places (a join, a format, a loop)")
        return edit_map.string_fix(file_edits, safe, tuple(_left(source, a) for a, _, _ in edits))


def _contiguous(source: ScriptSource, start: int, end: int) -> bool:
    """Script characters [start, end] are written one after the other (a replaced range
    is one piece of text in the file, not parts of two values)."""
    offsets = [source.file_offset(i) for i in range(start, end + 1)]
    return all(a < b for a, b in itertools.pairwise(offsets))


def _left(source: ScriptSource, start: int) -> int:
    """Where the character before an edit at ``start`` is written (the edit's own offset at a
    line start): the edit must sit between two characters of one literal, not between two values."""
    if start == 0 or source.line_of(start) != source.line_of(start - 1):
        return source.file_offset(start)
    return source.file_offset(start - 1)


def line_anchor(text: str) -> str:
    return " ".join(text.split())


def _inline_source(step: Step, arm: bool) -> ScriptSource | None:
    """The script as the deployment passes it: an ``inline`` (or a line of it) given as an
    expression is evaluated; its characters keep the position of their source text."""
    array = step.inline
    if array is None or not array.items:
        return None
    nodes: list[StringNode] = []
    for item in array.items:
        if arm and isinstance(item, StringNode) and not isinstance(item, EvalString) and is_expression(item.text):
            item = step.resolver.node(item)  # type: ignore[assignment]
            if not isinstance(item, StringNode) or (not isinstance(item, EvalString) and is_expression(item.text)):
                # A line only ARM knows: analyse it as empty.
                item = StringNode(item.start, item.end, item.pointer, text="", _raw="")
        if not isinstance(item, StringNode):
            return None  # a wrong type: the schema rules report it
        nodes.append(item)
    source = ScriptSource.inline(nodes, array.pointer, arm)
    source.via = _use_site(step, nodes)
    return source


def _use_site(step: Step, nodes: list[StringNode]) -> tuple[str, Span] | None:
    """Where a script that came through an expression is used: the customizer's ``inline``
    expression, its expression line, or the expression that made the customizer."""
    label = f"used by {step.section}[{step.index}]"
    written = step.written("inline")
    if isinstance(written, StringNode):
        return label, Span(written.start, written.end)
    if isinstance(written, ArrayNode):
        for item, node in zip(written.items, nodes, strict=False):
            if isinstance(item, StringNode) and item is not node and is_expression(item.text):
                return label, Span(item.start, item.end)
    via = getattr(step, "via", None)
    if via is not None:
        return label, Span(via.start, via.end)
    return None


def _mapped_file(template: TemplateContext, step: Step) -> tuple[Path, str] | None:
    """(resolved path, text) of the local file a scriptUri maps to, read only when it lies
    inside its mapped folder (aiblint/scripts/mapping.py); a refusal is a note."""
    from aiblint.scripts.mapping import Refused, map_uri

    roots = template.config.script_roots
    uri = step.text("scriptUri")
    if not roots or not uri:
        return None
    found = map_uri(uri, roots, template.config.root)
    if isinstance(found, Refused):
        if found.note not in template.file.notes:
            template.file.notes.append(found.note)
        return None
    return (found.path, found.text) if found is not None else None


def collect_scripts(template: TemplateContext) -> list[Script]:
    scripts: list[Script] = []
    arm = template.is_arm
    for step in template.template.steps:
        language = LANGUAGES.get(step.kind)
        if language is None:
            continue
        source = _inline_source(step, arm)
        if source is not None:
            scripts.append(Script(language, source, step, "inline"))
            continue
        mapped = _mapped_file(template, step)
        if mapped is None:
            continue
        path, text = mapped
        display = _display_path(path)
        uri_node = step.field("scriptUri")
        pointer = uri_node.pointer if uri_node is not None else step.pointer
        file_source = ScriptSource.from_file(text, display, pointer)
        template.file.other_files[display] = file_source.file_lines  # type: ignore[assignment]
        scripts.append(Script(language, file_source, step, "file"))
    return scripts


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def shellcheck_pass(template: TemplateContext, script: Script) -> None:
    from aiblint.scripts import shellcheck

    binary = shellcheck.executable()
    if binary is None:
        note = "--shellcheck: no shellcheck binary found (pip install 'aiblint[shellcheck]'); ShellCheck was skipped"
        if note not in template.file.notes:
            template.file.notes.append(note)
        return
    source = script.source
    starts = [0]
    for index, char in enumerate(source.text):
        if char == "\n":
            starts.append(index + 1)
    for comment in shellcheck.run(source.text, binary):
        if comment.line > len(starts):
            continue
        start = starts[comment.line - 1] + comment.column - 1
        end_line = min(comment.end_line, len(starts))
        end = starts[end_line - 1] + comment.end_column - 1
        line = source.line_of(start)
        finding = Finding(
            comment.code,
            f"{comment.message} (ShellCheck)",
            source.file_span(start, max(end, start + 1)),
            source.line_pointer(line),
            comment.level,
            line_anchor(source.line_text(line)),
            source.file or source.line_file(line),
        )
        script.findings.append((line, finding))


def flush_findings(template: TemplateContext, script: Script) -> None:
    comments = [
        ScriptComment(
            c.text,
            script.source.line_of(c.start),
            c.own_line,
            script.source.file_span(c.start, c.end),
            script.source.line_pointer(script.source.line_of(c.start)),
        )
        for c in script.model.comments
        if "aiblint:" in c.text  # only a directive matters (suppress._DIRECTIVE): 50,000 plain comments cost nothing
    ]
    enabled = [(line, f) for line, f in script.findings if template.enabled(f.code)]
    kept, unused = apply_suppressions(enabled, comments, script.source.pointer, template.enabled)
    for finding in kept:
        template.add(finding)
    for finding in unused:
        template.add(
            Finding(
                finding.code,
                finding.message,
                finding.span,
                finding.pointer,
                None,
                finding.anchor,
                script.source.file or script.source.line_file(0),
            )
        )
