"""``[tool.aiblint]`` in pyproject.toml or ``.aiblint.toml``, found upward from each file.

Every key is checked: an unknown key or a bad value is a ConfigError naming the key and
the file (the CLI turns it into exit 2 with one line).
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiblint.diagnostics import Severity
from aiblint.safe_read import ReadError, read_limited

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PROFILES = ("default", "azure-devops-hosted")


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] | None = None  # None: the default selection
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity = Severity.WARNING
    profile: str = "default"
    devops_job_minutes: int = 60
    script_roots: tuple[tuple[str, str], ...] = ()  # (URL prefix, absolute local folder)
    shellcheck: bool = False
    check_urls: bool = False  # the command line's --check-urls (or AIBLINT_CHECK_URLS), never a config file
    allow_private_urls: bool = False  # the command line's --allow-private-urls only
    api_version: str | None = None  # assumed when a template's apiVersion cannot be resolved
    parameters: str | None = None  # --parameters FILE: ARM deployment parameter values
    source: str | None = None  # the file it came from
    root: Path | None = None  # the folder paths in it are relative to
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    # -- selection -------------------------------------------------------------------
    def is_enabled(self, code: str, default_enabled: bool, path: str | None = None) -> bool:
        """ruff's semantics: the more specific of select and ignore wins.

        Opt-in rules (``default_enabled`` False) run only when named by their full code;
        ``per-file-ignores`` always win.
        """
        if self.select is None:
            chosen = 0 if default_enabled else -1  # 0: chosen by the default selection
        else:
            chosen = _longest_match(code, self.select)
        chosen = max(chosen, _longest_match(code, self.extend_select))
        if chosen < 0:
            return False
        if not default_enabled and code not in (self.select or ()) and code not in self.extend_select:
            return False
        if _longest_match(code, self._file_ignores(path)) >= 0:
            return False
        ignored = _longest_match(code, self.ignore)
        return ignored < 0 or ignored < chosen

    def _file_ignores(self, path: str | None) -> tuple[str, ...]:
        if not path or not self.per_file_ignores:
            return ()
        return _file_ignores_cached(self.per_file_ignores, self.root, path)

    def severity_of(self, code: str, reported: Severity) -> Severity:
        best = -1
        result = reported
        for prefix, severity in self.severity:
            if code.startswith(prefix) and len(prefix) > best:
                best = len(prefix)
                result = severity
        return result

    def merged(self, **overrides: Any) -> Config:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _file_ignores_cached(globs: tuple[tuple[str, tuple[str, ...]], ...], root: Path | None, path: str) -> tuple[str, ...]:
    """The codes the globs ignore for `path`: asked once per rule and finding, computed once
    per file. A glob is compiled only when its literal prefix (the text before its first
    wildcard) starts the path: 50,000 globs cost 50,000 prefix tests, not 50,000 compiles."""
    key = (id(globs), root, path)
    cached = _IGNORES_BY_PATH.get(key)
    if cached is not None and cached[0] is globs:
        return cached[1]
    relative = path
    if root is not None:
        try:
            relative = str(Path(path).resolve().relative_to(root))
        except ValueError:
            relative = path
    name = Path(path).name
    codes: list[str] = []
    for glob, pattern_codes in globs:
        prefix = _literal_prefix(glob)
        candidates = [text for text in (relative, name) if text.startswith(prefix)]
        if candidates and any(_glob_matcher(glob)(text) for text in candidates):
            codes.extend(pattern_codes)
    if len(_IGNORES_BY_PATH) > 4096:
        _IGNORES_BY_PATH.clear()
    _IGNORES_BY_PATH[key] = (globs, tuple(codes))
    return tuple(codes)


_IGNORES_BY_PATH: dict[tuple[int, Path | None, str], tuple[object, tuple[str, ...]]] = {}


def _literal_prefix(glob: str) -> str:
    cut = min((i for i in (glob.find("*"), glob.find("?"), glob.find("[")) if i >= 0), default=len(glob))
    return glob[:cut]


@lru_cache(maxsize=65536)
def _glob_matcher(glob: str) -> Callable[[str], object]:
    return re.compile(fnmatch.translate(glob)).match


def _longest_match(code: str, prefixes: tuple[str, ...] | None) -> int:
    best = -1
    for prefix in prefixes or ():
        if prefix == "ALL" and best < 0:
            best = 0
        elif code.startswith(prefix) and len(prefix) > best:
            best = len(prefix)
    return best


# -- loading --------------------------------------------------------------------------

_KEYS = {
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "severity",
    "fail-on",
    "profile",
    "devops-job-minutes",
    "script-roots",
    "shellcheck",
    "check-urls",
    "api-version",
}


def find_config(start: Path) -> Path | None:
    """The nearest .aiblint.toml, or pyproject.toml with a [tool.aiblint] table, upward,
    never past the repository root or the user's home (aiblint/repo.py)."""
    from aiblint.repo import search_folders

    for candidate in search_folders(start):
        dotfile = candidate / ".aiblint.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    """Whether the pyproject has a tool.aiblint table in any TOML spelling (``[tool.aiblint]``,
    ``[tool]`` + ``aiblint.ignore = [...]``, an inline table): the parsed file says, not its text."""
    try:
        data = read_limited(path, MAX_CONFIG_BYTES)
    except ReadError as exc:
        return "too large" in str(exc)  # load_config names the file; a FIFO or device is no config
    if b"aiblint" not in data:
        return False  # the common case, without parsing
    try:
        tool = _parse_toml(path, data).get("tool")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
        return True  # load_config reports the broken file, naming it
    # a tool.aiblint that is not a table is still meant as the config: load_config names it
    return isinstance(tool, dict) and "aiblint" in tool


MAX_CONFIG_BYTES = 1024 * 1024


def _read_toml(path: Path) -> dict[str, Any]:
    """The parsed file, or a one-line ConfigError naming it (never a crash)."""
    try:
        data = read_limited(path, MAX_CONFIG_BYTES)
    except ReadError as exc:
        if "too large" in str(exc):
            raise ConfigError(f"{path}: config file larger than 1 MB") from None
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (it looks like UTF-16: save it as UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise ConfigError(f"{path}: not UTF-8 text: invalid byte 0x{data[exc.start]:02X} at offset {exc.start}{hint}") from None
    try:
        return _parse_toml(path, data, text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


_LAST_PARSED: list[tuple[str, bytes, dict[str, Any]]] = []  # find_config's parse, reused by load_config


def _parse_toml(path: Path, data: bytes, text: str | None = None) -> dict[str, Any]:
    """tomllib.loads, once per file content: finding a pyproject's [tool.aiblint] and then loading
    it parsed the same text twice (a 1 MB config of 50,000 per-file-ignores: twice 1 s)."""
    if _LAST_PARSED and _LAST_PARSED[0][0] == str(path) and _LAST_PARSED[0][1] == data:
        return _LAST_PARSED[0][2]
    parsed = tomllib.loads(text if text is not None else data.decode("utf-8"))
    _LAST_PARSED[:] = [(str(path), data, parsed)]
    return parsed


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array"}.get(
        type(value), "a value"
    )


def load_config(path: Path) -> Config:
    data = _read_toml(path)
    tool = data.get("tool")
    if "tool" in data and not isinstance(tool, dict):
        raise ConfigError(f"{path}: tool: expected a table ([tool.aiblint]), got {_kind(tool)}")
    if isinstance(tool, dict) and "aiblint" in tool and not isinstance(tool["aiblint"], dict):
        raise ConfigError(f"{path}: tool.aiblint: expected a table ([tool.aiblint]), got {_kind(tool['aiblint'])}")
    if path.name == "pyproject.toml":
        table = (tool or {}).get("aiblint", {})
    else:
        table = (tool or {}).get("aiblint", data) if isinstance(tool, dict) else data
    return config_from_table(table, path)


def config_from_table(table: dict[str, Any], path: Path) -> Config:
    known_codes = _known_code_prefixes()
    where = str(path)

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{where}: [tool.aiblint] {key}: {message}")

    def codes(key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, 'expected a list of rule codes or prefixes, e.g. ["AIB401", "AIB5"]')
        for code in value:
            if not known_codes(code):
                raise fail(key, f"unknown rule code or prefix {code!r}")
        return tuple(value)

    values: dict[str, Any] = {"source": where, "root": path.parent.resolve()}
    for key, value in table.items():
        if key not in _KEYS:
            raise fail(key, f"unknown key (known: {', '.join(sorted(_KEYS))})")
        if key == "select":
            values["select"] = codes(key, value)
        elif key == "extend-select":
            values["extend_select"] = codes(key, value)
        elif key == "ignore":
            values["ignore"] = codes(key, value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise fail(key, "expected a table of glob = [codes]")
            values["per_file_ignores"] = tuple((glob, codes(f"{key}.{glob}", v)) for glob, v in value.items())
        elif key == "severity":
            if not isinstance(value, dict):
                raise fail(key, 'expected a table of CODE = "error" | "warning" | "info"')
            pairs = []
            for code, sev in value.items():
                if not known_codes(code):
                    raise fail(f"{key}.{code}", "unknown rule code or prefix")
                try:
                    pairs.append((code, Severity.parse(str(sev))))
                except ValueError as exc:
                    raise fail(f"{key}.{code}", str(exc)) from None
            values["severity"] = tuple(pairs)
        elif key == "fail-on":
            try:
                values["fail_on"] = Severity.parse(str(value))
            except ValueError as exc:
                raise fail(key, str(exc)) from None
        elif key == "profile":
            if value not in PROFILES:
                raise fail(key, f"unknown profile {value!r} (known: {', '.join(PROFILES)})")
            values["profile"] = value
        elif key == "devops-job-minutes":
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise fail(key, "expected a positive whole number of minutes")
            values["devops_job_minutes"] = value
        elif key == "script-roots":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise fail(key, 'expected a table of "URL prefix" = "local folder"')
            for prefix, folder in value.items():
                if not prefix.startswith(("http://", "https://")):
                    raise fail(f"{key}.{prefix}", "the key must be an http(s) URL prefix")
                if "\0" in folder or "\0" in prefix:
                    raise fail(f"{key}.{prefix}", "a NUL character cannot be in a path")
            values["script_roots"] = tuple((prefix, str((path.parent / folder).resolve())) for prefix, folder in value.items())
        elif key == "api-version":
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", value):
                raise fail(key, 'expected an Image Builder apiVersion such as "2024-02-01"')
            values["api_version"] = value
        elif key in ("shellcheck", "check-urls"):
            if not isinstance(value, bool):
                raise fail(key, "expected true or false")
            if key == "shellcheck":
                values["shellcheck"] = value
            # check-urls is read and checked, never applied: a config file committed in the
            # linted tree must not switch the network on (only --check-urls or AIBLINT_CHECK_URLS)
    return Config(**values)


def _known_code_prefixes() -> Any:
    from aiblint.codes import is_known_code

    return is_known_code


class ConfigCache:
    """Config per folder, each file read once per run."""

    def __init__(self, explicit: Path | None = None) -> None:
        self.explicit = explicit
        self._by_file: dict[Path, Config] = {}
        self._explicit_config: Config | None = None

    def for_path(self, path: Path | None) -> Config:
        if self.explicit is not None:
            if self._explicit_config is None:
                if not self.explicit.is_file():
                    raise ConfigError(f"{self.explicit}: config file not found")
                self._explicit_config = load_config(self.explicit)
            return self._explicit_config
        if path is None:
            path = Path.cwd()
        found = find_config(path)
        if found is None:
            return Config()
        if found not in self._by_file:
            self._by_file[found] = load_config(found)
        return self._by_file[found]
