"""Command line: options, config merge, exit codes. The only module that prints.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 aiblint could
not do its job (bad option, unreadable path, invalid config, internal error), with one
line on stderr and never a traceback.
"""

from __future__ import annotations

import os
import sys

from aiblint import __version__

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up

if TYPE_CHECKING:  # kept off the start-up path: `aiblint --version` imports nothing else
    from collections.abc import Iterator, Sequence
    from pathlib import Path
    from typing import Any, NoReturn

SUBCOMMANDS = ("rules", "rule", "diagnose", "lsp")
LINTED_EXTENSIONS = (".json", ".jsonc", ".bicep", ".bicepparam", ".tf")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", ".ruff_cache"}


class UsageError(Exception):
    pass


def _parser(prog: str) -> Any:
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:  # one line, exit 2
            raise UsageError(message)

    parser = Parser(prog=prog, description="Static checks for Azure VM Image Builder templates.", add_help=True)
    parser.add_argument("--version", action="version", version=f"aiblint {__version__}")
    return parser


def _lint_parser() -> Any:
    from pathlib import Path

    from aiblint.report import FORMATS

    parser = _parser("aiblint")
    parser.add_argument("paths", nargs="*", help="files or folders to lint; '-' reads stdin")
    parser.add_argument("--format", "--output-format", dest="format", choices=FORMATS, default=None)
    parser.add_argument("--select", help="comma-separated codes or prefixes to run (replaces the default set)")
    parser.add_argument("--extend-select", help="comma-separated codes or prefixes to add to the set")
    parser.add_argument("--ignore", help="comma-separated codes or prefixes to skip")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), default=None)
    parser.add_argument("--config", type=Path, help="use this config file instead of searching for one")
    _network_options(parser)
    parser.add_argument(
        "--parameters", type=Path, help="ARM deployment parameter file whose values the templates are linted with"
    )
    parser.add_argument("--profile", default=None, help="rule profile, e.g. azure-devops-hosted")
    parser.add_argument("--ignore-non-templates", action="store_true", help="files holding no image template pass silently")
    parser.add_argument("--stdin-filename", help="the name to show for '-'")
    parser.add_argument("--quiet", "-q", action="store_true", help="findings only, no summary")
    parser.add_argument("--statistics", action="store_true", help="count findings per code instead of listing them")
    parser.add_argument("--no-color", action="store_true")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument("--baseline", type=Path, help="hide the findings recorded in this baseline")
    parser.add_argument("--write-baseline", type=Path, help="record the current findings as a baseline")
    parser.add_argument("--shellcheck", action="store_true", default=None, help="also run ShellCheck on Shell scripts")
    parser.add_argument("--output", "-o", type=Path, help="write the report to this file instead of stdout")
    _add_fix_arguments(parser)
    return parser


def _add_fix_arguments(parser: Any) -> None:
    parser.add_argument("--fix", action="store_true", help="apply the safe fixes to the files, then report what is left")
    parser.add_argument("--unsafe-fixes", action="store_true", help="with --fix/--diff, also apply fixes that decide something")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    parser.add_argument("--show-fixes", action="store_true", help="list each fix applied (or available) on stderr")


def _fix_session(options: Any) -> Any:
    if not (options.fix or options.diff or options.show_fixes):
        return None
    from aiblint.fix import FixSession

    return FixSession(write=options.fix and not options.diff, unsafe=options.unsafe_fixes)


def _fix(session: Any, display: str, path: Path | None, data: bytes, config: Any, lint_options: Any) -> bytes:
    from aiblint.lint import InternalError, lint_text

    def lint(text: str) -> list[Any]:
        return lint_text(text, display, config, path, lint_options).diagnostics  # the session keeps the file's own

    try:
        return session.run(display, path, data, lint)  # type: ignore[no-any-return]
    except InternalError:
        return data  # reported by the lint that follows
    except OSError as exc:
        raise UsageError(f"{display}: cannot write the fixes: {exc.strerror or exc}") from None


def _finish_fixes(session: Any, options: Any) -> int | None:
    """Print the diff / the list of fixes; the exit code when --diff ends the run."""
    if options.diff:
        sys.stdout.write("".join(session.diffs))
        sys.stdout.flush()
    for line in session.summary() if options.show_fixes or options.diff else []:
        _err(line)
    for line in session.refused:
        _err(f"aiblint: note: {line}")
    for index, line in enumerate(session.withheld_summary()):
        _err(f"aiblint: note: {line}" if index == 0 else line)
    return (1 if session.diffs else 0) if options.diff else None


def _network_options(parser: Any) -> None:
    """Network access comes from the command line (or AIBLINT_CHECK_URLS), never a config file."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check-urls",
        action="store_true",
        default=None,
        help="HEAD-request script and file URLs (network; also AIBLINT_CHECK_URLS=1)",
    )
    group.add_argument(
        "--no-check-urls", dest="check_urls", action="store_false", help="no network, even with AIBLINT_CHECK_URLS"
    )
    parser.add_argument(
        "--allow-private-urls", action="store_true", help="--check-urls may also reach loopback, private and link-local addresses"
    )


def _check_urls(options: Any) -> bool:
    if options.check_urls is not None:
        return bool(options.check_urls)
    return os.environ.get("AIBLINT_CHECK_URLS", "").strip().lower() in ("1", "true", "yes", "on")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["--version"]:
            print(f"aiblint {__version__}")
            return 0
        if args and args[0] in SUBCOMMANDS:
            return _subcommand(args[0], args[1:])
        return _lint(args)
    except UsageError as exc:
        _err(f"aiblint: error: {exc}")
        return 2
    except KeyboardInterrupt:
        _err("aiblint: interrupted")
        return 2
    except BrokenPipeError:
        return 0
    except SystemExit as exc:  # argparse --help / --version
        return int(exc.code or 0)
    except Exception as exc:  # never a traceback
        from aiblint.lint import InternalError

        if isinstance(exc, InternalError):
            _err(f"aiblint: internal error: {exc}. Please report it with the file that caused it.")
        else:
            _err(f"aiblint: internal error: {type(exc).__name__}: {exc}. Please report it with the file that caused it.")
        return 2


def _err(line: str) -> None:
    """One line on stderr; whatever it quotes (a path, a config key, a value) shown escaped."""
    from aiblint.escape import terminal

    print(terminal(line), file=sys.stderr)


# -- lint -----------------------------------------------------------------------------


def _codes(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(code.strip().upper() if code.strip().upper() != "ALL" else "ALL" for code in text.split(",") if code.strip())


def _validate_codes(codes: tuple[str, ...] | None, option: str) -> None:
    from aiblint.codes import is_known_code

    for code in codes or ():
        if not is_known_code(code):
            raise UsageError(f"{option}: unknown rule code or prefix {code!r}")


def _lint(args: list[str]) -> int:
    from pathlib import Path

    options = _lint_parser().parse_args(args)
    from aiblint.config import ConfigCache, ConfigError
    from aiblint.diagnostics import Severity
    from aiblint.lint import InternalError, LintOptions, lint_bytes
    from aiblint.prefilter import might_hold_template
    from aiblint.safe_read import ReadError

    select, extend, ignore = _codes(options.select), _codes(options.extend_select), _codes(options.ignore)
    for codes, name in ((select, "--select"), (extend, "--extend-select"), (ignore, "--ignore")):
        _validate_codes(codes, name)
    if options.config is not None and not options.config.is_file():
        raise UsageError(f"--config: {options.config}: no such file")
    if options.profile is not None:
        from aiblint.config import PROFILES

        if options.profile not in PROFILES:
            raise UsageError(f"--profile: unknown profile {options.profile!r} (known: {', '.join(PROFILES)})")
    if "" in options.paths:
        raise UsageError("'': an empty path names no file (use '.' for the current folder)")
    paths = options.paths or ["."]
    # Only the terminal's excerpts read a file's lines after linting: elsewhere each result
    # drops its text and line index at once, so memory does not grow with the file count.
    keep_lines = (options.output is None and sys.stdout.isatty()) or options.format == "lsp"
    if "-" in paths and len(paths) > 1:
        raise UsageError("'-' (stdin) cannot be combined with other paths")
    configs = ConfigCache(options.config)
    fixes = _fix_session(options)

    from aiblint.programs import distrust_trees

    distrust_trees(paths)  # no program is ever run from these trees (aiblint/programs.py)

    def config_for(path: Path | None) -> Any:
        config = configs.for_path(path)
        overrides: dict[str, Any] = {
            "select": select,
            "ignore": (config.ignore + ignore) if ignore else None,
            "extend_select": (config.extend_select + extend) if extend else None,
            "fail_on": Severity.parse(options.fail_on) if options.fail_on else None,
            "profile": options.profile,
            "check_urls": _check_urls(options),
            "allow_private_urls": options.allow_private_urls,
            "shellcheck": options.shellcheck,
            "parameters": str(options.parameters) if options.parameters is not None else None,
        }
        return config.merged(**overrides)

    fmt = options.format or "text"
    from aiblint.report.stream import Output

    stream_is_tty = options.output is None and sys.stdout.isatty()
    color = stream_is_tty and not options.no_color and "NO_COLOR" not in os.environ
    # each file's findings are rendered (line formats) or compacted (documents) as it completes
    whole_run = options.baseline is not None or options.write_baseline is not None or options.statistics
    output = Output(fmt, streaming=not whole_run, color=color, source=stream_is_tty, quiet=options.quiet, cwd=Path.cwd())
    results = []
    internal_errors: list[str] = []
    read_errors: list[str] = []  # files named explicitly that could not be read: exit 2
    skipped: list[str] = []  # folder mode: files passed over, one note each
    fail_on = None
    try:
        for display, path, explicit, from_stdin in _targets(paths, options.stdin_filename, skipped):
            config = config_for(path)
            fail_on = config.fail_on if fail_on is None else fail_on
            lint_options = LintOptions(ignore_non_templates=options.ignore_non_templates, explicit=explicit)
            try:
                data = _read(None if from_stdin else path)
            except ReadError as exc:
                (read_errors if explicit else skipped).append(f"{display}: {exc}")
                continue
            if not explicit and not might_hold_template(data):
                continue  # folder mode lints image templates only: decided from the bytes, unparsed
            if fixes is not None:
                data = _fix(fixes, display, None if from_stdin else path, data, config, lint_options)
            try:
                kept = output.add(_slim(lint_bytes(data, display, config, path, lint_options), keep_lines))
                if kept is not None:
                    results.append(kept)
            except InternalError as exc:
                internal_errors.append(str(exc))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if fixes is not None and (code := _finish_fixes(fixes, options)) is not None:
        return code
    if options.baseline is not None or options.write_baseline is not None:
        from aiblint import baseline

        try:
            if options.write_baseline is not None:
                baseline.write(options.write_baseline, results)
            if options.baseline is not None:
                results = baseline.filter_known(options.baseline, results)
        except baseline.BaselineError as exc:
            raise UsageError(str(exc)) from None

    if options.statistics:
        from aiblint.report.statistics import render as statistics

        _write_output(options.output, lambda handle: handle.write(statistics(results, json_output=fmt == "json")))
    else:
        _write_output(options.output, lambda handle: output.write(results, handle))
    for line in skipped:
        _err(f"aiblint: note: {line}")
    for result in results:
        for note in result.notes:
            _err(f"aiblint: note: {result.path}: {note}")
    for line in read_errors:
        _err(f"aiblint: error: {line}")
    internal_errors.extend(line for result in results for line in result.internal_errors)
    for line in internal_errors:
        _err(f"aiblint: internal error: {line}. Please report it with the file that caused it.")
    if internal_errors or read_errors:
        return 2
    if options.exit_zero:
        return 0
    threshold = fail_on if fail_on is not None else Severity.WARNING
    # the severities seen (a streamed result keeps none), or those left after the baseline
    severities = {d.severity for r in results for d in r.diagnostics} if whole_run else output.severities
    return 1 if any(severity >= threshold for severity in severities) else 0


def _write_output(path: Any, write: Any) -> None:
    """The report into --output (one line naming the file if it cannot be written) or stdout."""
    if path is None:
        write(sys.stdout)
        sys.stdout.flush()
        return
    try:
        with open(path, "w", encoding="utf-8") as handle:
            write(handle)
    except OSError as exc:
        raise UsageError(f"--output: {path}: {exc.strerror or exc}") from None


def _read(path: Path | None) -> bytes:
    from aiblint.safe_read import read_limited, read_stream_limited

    if path is None:
        return read_stream_limited(sys.stdin.buffer)
    return read_limited(path)


def _slim(result: Any, keep_lines: bool) -> Any:
    if not keep_lines or not result.diagnostics:
        result.lines = None
        result.other_files = {}
    return result


def _targets(paths: list[str], stdin_name: str | None, skipped: list[str]) -> Iterator[tuple[str, Path | None, bool, bool]]:
    """(name to show, path for config lookup, named explicitly, read stdin) per file."""
    from pathlib import Path

    for given in paths:
        if given == "-":
            yield (stdin_name or "<stdin>", Path(stdin_name) if stdin_name else None, True, True)
            continue
        path = Path(given)
        if path.is_dir():
            for found in sorted(_walk(path, skipped)):
                yield (str(found), found, False, False)
        elif path.exists() or path.is_symlink():  # a dangling or looping link: the read says which
            yield (given, path, True, False)
        else:
            raise UsageError(f"{given}: no such file or directory")


def _walk(folder: Path, skipped: list[str]) -> Iterator[Path]:
    """The .json/.jsonc files under `folder`; iterative (a tree 1,100 levels deep is fine),
    symlinked folders not entered, unreadable folders noted and passed over."""
    from pathlib import Path

    pending = [str(folder)]
    while pending:
        root = pending.pop()
        try:
            with os.scandir(root) as entries:
                listed = list(entries)
        except OSError as exc:
            skipped.append(f"{root}: folder not read: {exc.strerror or type(exc).__name__}")
            continue
        for entry in listed:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in SKIP_DIRS and not entry.name.startswith("."):
                    pending.append(entry.path)
            elif entry.name.endswith(LINTED_EXTENSIONS):
                yield Path(entry.path)


# -- other commands -------------------------------------------------------------------


def _subcommand(name: str, args: list[str]) -> int:
    if name == "rules":
        return _rules(args)
    if name == "rule":
        return _rule(args)
    if name == "diagnose":
        from aiblint.diagnose.cli import run as diagnose

        return diagnose(args, _parser("aiblint diagnose"), UsageError)
    from aiblint.lsp import run_server

    parser = _parser("aiblint lsp")
    parser.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    parser.parse_args(args)
    return run_server()


def _rules(args: list[str]) -> int:
    parser = _parser("aiblint rules")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    options = parser.parse_args(args)
    from aiblint.rules import load_all

    rules = sorted(load_all().values(), key=lambda r: r.code)
    if options.format == "json":
        import json

        rows = [
            {"code": r.code, "severity": r.severity.label, "title": r.title, "family": r.family, "default": r.default_enabled}
            for r in rules
        ]
        print(json.dumps(rows, indent=2))
        return 0
    for info in rules:
        note = "" if info.default_enabled else "  (opt-in)"
        print(f"{info.code}  {info.severity.label:<7}  {info.title}{note}")
    return 0


def _rule(args: list[str]) -> int:
    parser = _parser("aiblint rule")
    parser.add_argument("code")
    options = parser.parse_args(args)
    from aiblint.catalog import page
    from aiblint.rules import load_all

    code = options.code.upper()
    rules = load_all()
    if code not in rules:
        raise UsageError(f"unknown rule {options.code!r} (see `aiblint rules`)")
    info = rules[code]
    text = page(code)
    if text is None:
        raise UsageError(f"{code}: its documentation page is missing from this installation")
    default = "on by default" if info.default_enabled else "opt-in (add it to `select` or `extend-select`)"
    print(f"{code} · {info.severity.label} · {info.family} · {default}\n")
    print(text.rstrip())
    return 0
