"""The pipeline for one file: bytes -> tree -> templates -> rules -> filtered diagnostics.

Data flows one way. Rules hand back Findings (offsets); this module turns them into
Diagnostics (lines and columns), applies the config (selection, severities) and never
prints: the CLI does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiblint.config import Config
from aiblint.context import FileContext, FileResult
from aiblint.context import InternalError as InternalError  # re-exported: the CLI and the LSP catch it
from aiblint.diagnostics import Diagnostic, Finding, Fix, Severity, Span
from aiblint.jsontree import Document, JsonSyntaxError, LineIndex, decode_bytes, parse
from aiblint.registry import RULES, checks
from aiblint.safe_read import MAX_FILE_BYTES as MAX_FILE_BYTES  # re-exported: larger files are refused, not parsed


@dataclass
class LintOptions:
    ignore_non_templates: bool = False
    explicit: bool = True  # the file was named on the command line


def _register_rules() -> None:
    """Imported on the first lint, not at start-up (``aiblint --version`` stays quick)."""
    import aiblint.rules  # noqa: F401  (importing the package registers every rule)


def lint_bytes(data: bytes, display: str, config: Config, path: Path | None, options: LintOptions) -> FileResult:
    _register_rules()
    try:
        text = decode_bytes(data)
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8", errors="replace")
        lines = LineIndex(prefix.lstrip("\ufeff") + " ")
        line, column = lines.position(len(prefix.lstrip("\ufeff")))
        message = f"the file is not UTF-8 (or UTF-16 with a byte order mark): invalid byte 0x{data[exc.start]:02X}"
        return FileResult(display, [_diagnostic_at("AIB001", message, display, line, column, config)], None)
    return lint_text_guarded(text, display, config, path, options)


def lint_text_guarded(text: str, display: str, config: Config, path: Path | None, options: LintOptions) -> FileResult:
    """lint_text, where whatever goes wrong costs this file only, never the run's other files."""
    try:
        return lint_text(text, display, config, path, options)
    except InternalError:
        raise
    except RecursionError:
        return FileResult(display, [], None, notes=["nested too deeply to analyse: this file was skipped"])
    except Exception as exc:
        raise InternalError(f"linting {display} failed: {type(exc).__name__}: {str(exc)[:200]}") from exc


def _diagnostic_at(code: str, message: str, display: str, line: int, column: int, config: Config, start: int = 0) -> Diagnostic:
    info = RULES[code]
    return Diagnostic(
        code,
        config.severity_of(code, info.severity),
        bounded_message(message),
        display,
        line,
        column,
        line,
        column + 1,
        "",
        start,
        start + 1,
        help=_help(code),
    )


def _help(code: str) -> str:
    if code.startswith("SC"):
        return f"ShellCheck {code}: https://www.shellcheck.net/wiki/{code}"
    info = RULES.get(code)
    title = info.title if info else code
    return f"{title}: see `aiblint rule {code}`"


def lint_text(text: str, display: str, config: Config, path: Path | None, options: LintOptions) -> FileResult:
    _register_rules()
    from aiblint.frontends import language_of

    language = language_of(display)
    try:
        if language == "json":
            document = parse(text)
        else:
            from aiblint.frontends import parse_source

            document = parse_source(text, display, path, language)
    except JsonSyntaxError as exc:
        lines = LineIndex(text[1:] if text.startswith("\ufeff") else text)
        line, column = lines.position(exc.offset)
        diagnostic = _diagnostic_at("AIB001", exc.message, display, line, column, config, exc.offset)
        kept = [diagnostic] if config.is_enabled("AIB001", True, display) else []
        return FileResult(display, kept, lines)

    from aiblint.locate import locate

    context = FileContext(display, document, config, path)
    skipped: list[Any] = []
    located = locate(document, _parameter_values(context), skipped)
    result = FileResult(display, [], document.lines, len(located))
    context.notes.extend(why for _resource, why in skipped)
    if language != "json":
        if not located and not (options.explicit and not options.ignore_non_templates):
            return result  # a .bicep/.tf file without an image template: not ours
        _adopt_front_end(context, document)
    if not located:
        if skipped:
            pass  # a template ARM does not deploy: the note says so
        elif options.explicit and not options.ignore_non_templates:
            context.report("AIB002", Span(0, 0), "no Azure Image Builder template found in this file", pointer="")
        elif options.ignore_non_templates or not options.explicit:
            return result  # other JSON files pass silently, trailing commas and all (folder mode lints templates only)
    from aiblint.runner import run_rules

    context.is_bare = bool(located) and located[0].kind == "bare"
    run_rules(checks("file"), context, context)
    if located:
        from aiblint.copies import affordable, fold_instances, linted_once

        copies: list[tuple[Any, list[Finding]]] = []  # the instances of one copied image template
        shared = None  # their identical scripts' models, parsed once (aiblint/scripts/models.py)
        unaffordable: Any = None  # a copied image template linted once instead (its other instances are skipped)
        for index, item in enumerate(located):
            if item.copy is not None and item.resource is unaffordable:
                continue
            mark = len(context.findings)
            if item.copy is not None and shared is None:
                from aiblint.scripts.models import SharedModels

                shared = SharedModels()
            template_context = _lint_template(context, item, shared if item.copy is not None else None)
            if item.copy is None or shared is None:
                continue
            # What the instances cost so far decides: all of them, or one lint with copyIndex() unknown.
            deployed = sum(other.resource is item.resource for other in located) if not copies else 0
            note = affordable(template_context, item, deployed, first=not copies)
            if note is not None:
                del context.findings[mark:]
                copies, shared = [], None
                _lint_template(context, linted_once(item, note))
                unaffordable = item.resource
                continue
            shared.next_instance()
            copies.append((item.copy, context.findings[mark:]))
            del context.findings[mark:]
            following = located[index + 1] if index + 1 < len(located) else None
            if following is None or following.resource is not item.resource:
                context.findings.extend(fold_instances(copies))
                copies, shared = [], None  # the models go with the loop's last instance
    if language != "json":
        from aiblint.frontends.suppress import apply_comment_suppressions

        context.findings = apply_comment_suppressions(context.findings, document, language, context.enabled)
    else:
        _template_suppressions(context, [n for item in located for n in (item.resource, item.deployment) if n is not None])
    result.diagnostics = _to_diagnostics(context)
    result.other_files = context.other_files
    result.notes = [bounded_message(note) for note in context.notes]  # notes quote pointers and values too
    result.internal_errors = context.internal_errors
    return result


def _lint_template(context: FileContext, item: Any, shared: Any = None) -> Any:
    """Run the script and template rules on one located image template; its TemplateContext.
    ``shared``: the script models of the other instances of its copy loop (parsed once)."""
    from aiblint.runner import analyse_scripts, run_rules
    from aiblint.template import TemplateContext

    template_context = TemplateContext(context, item)
    # Scripts first: each model is freed after its own rules, and the template rules
    # read what they need of it from the script's summaries.
    analyse_scripts(template_context, shared)
    run_rules(checks("template"), template_context, context)
    template_context.add_evaluation_notes()
    return template_context


def _parameter_values(context: FileContext) -> dict[str, Any] | None:
    """Values of an ARM parameter file (``--parameters``, or one beside the template)."""
    from aiblint.armparams import find_parameter_file, load_parameter_file
    from aiblint.jsontree import ObjectNode
    from aiblint.locate import is_arm_deployment

    root = context.document.root
    if not isinstance(root, ObjectNode) or not is_arm_deployment(root):
        return None
    found = find_parameter_file(context.path, context.config.parameters)
    if found is None:
        return None
    display = context.config.parameters or str(Path(context.display).with_name(found.name))
    loaded = load_parameter_file(found, display)
    if isinstance(loaded, str):
        context.notes.append(loaded)
        return None
    context.other_files[loaded.display] = loaded.lines
    return loaded.values


def _template_suppressions(context: FileContext, scopes: list[Any]) -> None:
    """JSONC comments, metadata and tags in the template that silence findings (aiblint.suppress)."""
    from aiblint.suppress import apply_template_suppressions

    def known(code: str) -> bool:
        return any(rule.startswith(code) for rule in RULES) or (code.startswith("SC") and code[2:].isdigit())

    context.findings = apply_template_suppressions(context.document, scopes, context.findings, context.enabled, known)


MAX_QUOTED_CHARS = 200  # of one word of a message: template values are quoted in messages
MAX_MESSAGE_CHARS = 1000


def bounded_message(message: str) -> str:
    """The message with any over-long word (a quoted value, mostly) cut in its middle."""
    if len(message) <= MAX_QUOTED_CHARS:
        return message
    words = message.split(" ")
    for index, word in enumerate(words):
        if len(word) > MAX_QUOTED_CHARS:
            words[index] = _elide(word, MAX_QUOTED_CHARS)
    shorter = " ".join(words)
    return _elide(shorter, MAX_MESSAGE_CHARS) if len(shorter) > MAX_MESSAGE_CHARS else shorter


def _elide(text: str, limit: int) -> str:
    head = limit * 2 // 3
    tail = limit - head - 1
    return f"{text[:head]}…{text[-tail:]}"


MAX_RELATED_LOCATIONS = 50  # per finding: a value repeated 100,000 times must not make every format's output huge


def _related(context: FileContext, finding: Finding) -> tuple[tuple[tuple[str, int, int, str], ...], tuple[tuple[int, int], ...]]:
    """The finding's second locations as (file, line, column, what), and the end of each; past
    ``MAX_RELATED_LOCATIONS`` the last one listed says how many more there are."""
    found = []
    ends = []
    places = finding.related
    if len(places) > MAX_RELATED_LOCATIONS:
        file, start, end, what = places[MAX_RELATED_LOCATIONS - 1]
        more = len(places) - MAX_RELATED_LOCATIONS
        places = (*places[: MAX_RELATED_LOCATIONS - 1], (file, start, end, f"{what} ({more:,} more places not listed)"))
    for file, start, end, what in places:
        lines = context.other_files.get(file) if file else context.document.lines
        if lines is not None:
            line, column = lines.position(start)
            found.append((file or context.display, line, column, bounded_message(what)))  # a label quotes values too
            ends.append(lines.position(max(end, start)))
    return tuple(found), tuple(ends)


def _adopt_front_end(context: FileContext, document: Document) -> None:
    """A front end's loaded files, notes and syntax errors become the file's own."""
    context.other_files.update(document.other_files)
    context.notes.extend(document.notes)
    for offset, message in document.syntax_errors:
        context.report("AIB001", Span(offset, offset + 1), message, pointer="")


def _to_diagnostics(context: FileContext) -> list[Diagnostic]:
    config = context.config
    seen: set[tuple[str, int, int, str, str]] = set()
    diagnostics: list[Diagnostic] = []
    for finding in context.findings:
        if not context.enabled(finding.code):
            continue
        info = RULES.get(finding.code)
        file = finding.file or context.display
        lines = context.other_files.get(finding.file) if finding.file else context.document.lines
        if lines is None:
            continue
        key = (finding.code, finding.span.start, finding.span.end, file, finding.message)
        if key in seen:
            continue  # one root cause reached by two paths is reported once
        seen.add(key)
        line, column = lines.position(finding.span.start)
        end_line, end_column = lines.position(max(finding.span.end, finding.span.start))
        default = info.severity if info is not None else Severity.WARNING
        severity = config.severity_of(finding.code, finding.severity or default)
        related, related_ends = _related(context, finding)
        diagnostics.append(
            Diagnostic(
                finding.code,
                severity,
                bounded_message(finding.message),
                file,
                line,
                column,
                end_line,
                end_column,
                finding.pointer,
                finding.span.start,
                finding.span.end,
                finding.anchor,
                _help(finding.code),
                Fix.of(finding.fix),
                related,
                related_ends,
            )
        )
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics
