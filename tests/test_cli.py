"""The command line as a user meets it: exit codes, one-line errors, formats, config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aiblint.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "examples" / "ubuntu-good.json"


def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiblint", *args], capture_output=True, text=True, cwd=cwd, input=stdin, timeout=60
    )


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("aiblint ")


def test_version_imports_no_heavy_module():
    code = (
        "import sys; from aiblint.cli import main; main(['--version']);"
        "heavy = [m for m in ('jsonschema', 'pyparsing', 'tree_sitter', 'pygls', 'lsprotocol', 'pydantic', 'referencing') if m in sys.modules];"
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_missing_path_is_one_line_and_exit_2():
    result = run("no/such/template.json")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_option_is_one_line_and_exit_2():
    result = run("--format", "yaml", str(GOOD))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1


def test_unknown_select_code_is_exit_2():
    result = run("--select", "AIB999", str(GOOD))
    assert result.returncode == 2
    assert "AIB999" in result.stderr


def test_missing_comma_is_aib001_exit_1(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{\n  "a": 1\n  "b": 2\n}\n')
    result = run(str(path))
    assert result.returncode == 1
    assert f"{path}:3:3: error AIB001" in result.stdout


def test_jsonc_with_bom_comments_and_trailing_comma(tmp_path):
    path = tmp_path / "t.jsonc"
    text = GOOD.read_text().replace('"tags": { "team": "platform" },', '"tags": { "team": "platform", },')
    path.write_text("\ufeff// nightly\n" + text, encoding="utf-8")
    result = run("--format", "json", str(path))
    findings = [(d["code"], d["line"], d["column"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert ("AIB004", 1, 1) in findings  # the comment (BOM not counted)
    assert ("AIB004", 7, 31) in findings  # the trailing comma
    assert {code for code, _, _ in findings} <= {"AIB004", "AIB101"}  # AIB101: the permission plan (info)


def test_json_format_shape():
    result = run("--format", "json", str(ROOT / "fixtures" / "AIB005" / "location_twice.json"))
    data = json.loads(result.stdout)
    assert set(data) == {"version", "diagnostics", "summary"}
    (diagnostic,) = data["diagnostics"]
    assert set(diagnostic) == {
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "pointer",
        "help",
    }
    assert diagnostic["pointer"] == "/Location"
    assert data["summary"] == {"files": 1, "errors": 1, "warnings": 0, "infos": 0}


def test_clean_template_exits_0_with_summary():
    result = run(str(GOOD))
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("0 errors, 0 warnings")


def test_fail_on_and_exit_zero():
    bad = ROOT / "fixtures" / "AIB004" / "bare_jsonc.json"  # warnings only
    assert run(str(bad)).returncode == 1
    assert run("--fail-on", "error", str(bad)).returncode == 0
    assert run("--exit-zero", str(bad)).returncode == 0


def test_ignore_and_select():
    bad = ROOT / "fixtures" / "AIB004" / "bare_jsonc.json"
    assert run("--ignore", "AIB004", str(bad)).returncode == 0
    assert run("--select", "AIB005", str(bad)).returncode == 0


def test_stdin_with_filename():
    result = run("-", "--stdin-filename", "ubuntu.json", stdin='{"a": 1,}')
    assert "ubuntu.json:1:8: warning AIB004" in result.stdout


def test_directory_walk_skips_non_templates(tmp_path):
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / "t.json").write_text(GOOD.read_text())
    result = run(str(tmp_path))
    assert result.returncode == 0
    assert "AIB002" not in result.stdout
    assert "in 1 file\n" in result.stdout  # package.json is passed over unparsed (folder mode: templates only)


def test_ignore_non_templates_for_explicit_files(tmp_path):
    path = tmp_path / "package.json"
    path.write_text('{"name": "x",}')
    assert run(str(path)).returncode == 1
    quiet = run("--ignore-non-templates", str(path))
    assert quiet.returncode == 0
    assert "AIB" not in quiet.stdout


def test_rules_lists_every_rule():
    from aiblint.rules import load_all

    result = run("rules")
    assert result.returncode == 0
    listed = {line.split()[0] for line in result.stdout.splitlines()}
    assert listed == set(load_all())


def test_rule_page():
    result = run("rule", "AIB001")
    assert result.returncode == 0
    assert "# AIB001:" in result.stdout
    assert "## Bad" in result.stdout
    assert run("rule", "AIB999").returncode == 2


def test_config_unknown_key_is_exit_2(tmp_path):
    (tmp_path / ".aiblint.toml").write_text('selct = ["AIB4"]\n')
    path = tmp_path / "t.json"
    path.write_text(GOOD.read_text())
    result = run(str(path))
    assert result.returncode == 2
    assert "selct" in result.stderr and ".aiblint.toml" in result.stderr
    assert result.stderr.count("\n") == 1


def test_config_in_pyproject_applies(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.aiblint]\nignore = ["AIB004"]\n')
    sub = tmp_path / "templates"
    sub.mkdir()
    path = sub / "t.json"
    path.write_text('{"a": 1,}')
    result = run("--ignore-non-templates", str(path))
    assert result.returncode == 0


def test_config_severity_override_and_fail_on(tmp_path):
    (tmp_path / ".aiblint.toml").write_text('[severity]\nAIB004 = "info"\n')
    path = tmp_path / "t.json"
    path.write_text(GOOD.read_text().replace('"team": "platform"', '"team": "platform",'))
    result = run(str(path))
    assert "info AIB004" in result.stdout
    assert result.returncode == 0


def test_config_bad_value(tmp_path):
    (tmp_path / ".aiblint.toml").write_text('fail-on = "sometimes"\n')
    path = tmp_path / "t.json"
    path.write_text(GOOD.read_text())
    result = run(str(path))
    assert result.returncode == 2
    assert "fail-on" in result.stderr


def test_per_file_ignores(tmp_path):
    (tmp_path / ".git").mkdir()  # config lookup stops at the repository root
    (tmp_path / ".aiblint.toml").write_text('[per-file-ignores]\n"legacy/*.json" = ["AIB004"]\n')
    (tmp_path / "legacy").mkdir()
    path = tmp_path / "legacy" / "t.json"
    path.write_text(GOOD.read_text().replace('"team": "platform"', '"team": "platform",'))
    assert run(str(path)).returncode == 0


def test_internal_error_is_one_line(monkeypatch, capsys):
    from aiblint import lint

    def boom(*args, **kwargs):
        raise ValueError("synthetic")

    monkeypatch.setattr(lint, "lint_text", boom)
    assert main([str(GOOD)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" in err and "report" in err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_is_deterministic(fmt):
    args = ["--format", fmt, str(ROOT / "fixtures")]
    assert run(*args).stdout == run(*args).stdout
