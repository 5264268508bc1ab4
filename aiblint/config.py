"""``[tool.aiblint]`` in pyproject.toml or ``.aiblint.toml``, found upward from each file.

Every key is checked: an unknown key or a bad value is a ConfigError naming the key and
the file (the CLI turns it into exit 2 with one line).
"""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aiblint.diagnostics import Severity

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
    check_urls: bool = False
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
        relative = path
        if self.root is not None:
            try:
                relative = str(Path(path).resolve().relative_to(self.root))
            except ValueError:
                relative = path
        codes: list[str] = []
        for pattern, pattern_codes in self.per_file_ignores:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(Path(path).name, pattern):
                codes.extend(pattern_codes)
        return tuple(codes)

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
    """The nearest .aiblint.toml, or pyproject.toml with a [tool.aiblint] table, upward."""
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
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
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "aiblint" not in text:
        return False  # the common case, without parsing
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return True  # load_config reports the broken file, naming it
    return isinstance(tool, dict) and isinstance(tool.get("aiblint"), dict)


def load_config(path: Path) -> Config:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("aiblint", {})
    else:
        table = data.get("tool", {}).get("aiblint", data) if "tool" in data else data
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
            for prefix in value:
                if not prefix.startswith(("http://", "https://")):
                    raise fail(f"{key}.{prefix}", "the key must be an http(s) URL prefix")
            values["script_roots"] = tuple((prefix, str((path.parent / folder).resolve())) for prefix, folder in value.items())
        elif key == "api-version":
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", value):
                raise fail(key, 'expected an Image Builder apiVersion such as "2024-02-01"')
            values["api_version"] = value
        elif key in ("shellcheck", "check-urls"):
            if not isinstance(value, bool):
                raise fail(key, "expected true or false")
            values[key.replace("-", "_")] = value
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
