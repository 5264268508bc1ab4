"""A hostile value in one file never ends the run (issue 14, item 13).

Each attack is written beside a good template and the two are linted in one run: the run
must exit 0 or 1 (never 2, "internal error"), print no traceback, and still report the good
file's finding. Values are built here: numbers too long for Python's int-string limit,
non-finite numbers, deep ARM expressions, broken URLs, very long strings.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from aiblint.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOOD = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text(encoding="utf-8"))
WIN = json.loads((ROOT / "examples" / "windows-good.json").read_text(encoding="utf-8"))
BIG = "9" * 5000  # over Python's 4,300-digit int-string limit


def _write(path: Path, template: dict, raw: dict[str, str] | None = None) -> None:
    """Write the template; each placeholder string in `raw` is replaced by raw JSON text."""
    text = json.dumps(template, indent=2)
    for placeholder, replacement in (raw or {}).items():
        text = text.replace(json.dumps(placeholder), replacement)
    path.write_text(text, encoding="utf-8")


def _linux(edit) -> dict:
    template = copy.deepcopy(GOOD)
    edit(template["properties"])
    return template


def _windows(edit) -> dict:
    template = copy.deepcopy(WIN)
    edit(template["properties"])
    return template


def _inline(lines):
    def edit(properties):
        properties["customize"][0]["inline"] = lines

    return edit


def _nested_type(properties):
    properties["customize"][0]["type"] = "[" + "concat(" * 50 + "'Shell'" + ")" * 50 + "]"


def _restart_timeout(properties):
    properties["customize"].append({"type": "WindowsRestart", "restartTimeout": BIG + "m"})


def _ipv6(properties):
    properties["customize"][0] = {"type": "Shell", "name": "x", "scriptUri": "http://[::1/x"}


def _raw(key):
    def edit(properties):
        properties[key] = "@RAW@"

    return edit


def _disk(properties):
    properties["vmProfile"] = {"vmSize": "Standard_D2s_v3", "osDiskSizeGB": "@RAW@"}


def _version(properties):
    properties["source"]["version"] = f"[string({BIG})]"


def _long_value(properties):
    properties["customize"][0]["type"] = "x" * 100_000


ATTACKS = {
    "customizer type with 50 nested calls": (lambda: _linux(_nested_type), None),
    "5,000-digit integer": (lambda: _linux(_disk), BIG),
    "5,000-digit buildTimeoutInMinutes": (lambda: _linux(_raw("buildTimeoutInMinutes")), BIG),
    "buildTimeoutInMinutes 1e400": (lambda: _linux(_raw("buildTimeoutInMinutes")), "1e400"),
    "negative 5,000-digit number": (lambda: _linux(_raw("buildTimeoutInMinutes")), "-" + BIG),
    "5,000-digit float": (lambda: _linux(_raw("buildTimeoutInMinutes")), BIG + ".5e-3"),
    "scriptUri http://[::1/x": (lambda: _linux(_ipv6), None),
    "sleep with 400 digits": (lambda: _linux(_inline(["sleep " + "9" * 400])), None),
    "sleep 400 digits with unit": (lambda: _linux(_inline(["sleep " + "9" * 400 + "m"])), None),
    "Start-Sleep -Seconds Infinity": (lambda: _windows(_inline(["Start-Sleep -Seconds Infinity"])), None),
    "Start-Sleep -Seconds NaN": (lambda: _windows(_inline(["Start-Sleep -Seconds NaN"])), None),
    "Start-Sleep -Milliseconds 1e400": (lambda: _windows(_inline(["Start-Sleep -Milliseconds 1e400"])), None),
    "5,000-digit restartTimeout": (lambda: _windows(_restart_timeout), None),
    "[string(<5,000 digits>)]": (lambda: _linux(_version), None),
    "100,000-character value": (lambda: _linux(_long_value), None),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_hostile_value_beside_a_good_template(name, tmp_path, capsys):
    build, raw = ATTACKS[name]
    _write(tmp_path / "a-hostile.json", build(), {"@RAW@": raw} if raw else None)
    _write(tmp_path / "b-good.json", GOOD)
    code = main([str(tmp_path), "--format", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err
    report = json.loads(out)
    files = {Path(d["file"]).name for d in report["diagnostics"]}
    assert "b-good.json" in files  # the good file's AIB101 info is still reported
    for diagnostic in report["diagnostics"]:
        assert len(diagnostic["message"]) <= 1200  # messages quote at most a few hundred characters of a value


def test_messages_quote_at_most_a_few_hundred_characters(tmp_path, capsys):
    _write(tmp_path / "t.json", _linux(_long_value))
    main([str(tmp_path / "t.json"), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    long_ones = [d for d in report["diagnostics"] if "xxxxxxxx" in d["message"]]
    assert long_ones and all(len(d["message"]) < 500 and "…" in d["message"] for d in long_ones)


def test_invalid_ipv6_url_is_a_finding(tmp_path, capsys):
    _write(tmp_path / "t.json", _linux(_ipv6))
    main([str(tmp_path / "t.json"), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert any(d["code"] == "AIB022" and "not a valid URL" in d["message"] for d in report["diagnostics"])


def test_empty_path_is_an_error_not_the_current_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "t.json", GOOD)
    assert main([""]) == 2
    out, err = capsys.readouterr()
    assert "AIB101" not in out and err.count("\n") == 1 and "empty path" in err


def test_a_crash_in_one_file_costs_only_that_file(tmp_path, capsys, monkeypatch):
    import aiblint.lint

    real = aiblint.lint.lint_text

    def crashing(text, display, *args):
        if display.endswith("a.json"):
            raise ValueError("boom")
        return real(text, display, *args)

    monkeypatch.setattr(aiblint.lint, "lint_text", crashing)
    _write(tmp_path / "a.json", GOOD)
    _write(tmp_path / "b.json", GOOD)
    assert main([str(tmp_path), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert {Path(d["file"]).name for d in json.loads(out)["diagnostics"]} == {"b.json"}
    assert "internal error" in err and "a.json" in err and "Traceback" not in err
