"""A pyproject's [tool.aiblint] is found whatever TOML spelling holds it, and --baseline keeps
the stderr notes (issue 13, item 9)."""

from __future__ import annotations

import pytest

from aiblint.cli import main
from aiblint.config import ConfigCache, find_config
from aiblint.context import FileContext
from aiblint.diagnostics import Severity, Span
from aiblint.registry import RULES, RuleInfo
from aiblint.rules import load_all

SPELLINGS = [
    '[tool.aiblint]\nignore = ["AIB004"]\n',
    '[tool]\naiblint.ignore = ["AIB004"]\n',
    '[tool]\naiblint = { ignore = ["AIB004"] }\n',
    'tool.aiblint.ignore = ["AIB004"]\n',
    '[tool.black]\nline-length = 100\n\n[tool.aiblint]\nignore = ["AIB004"]\n',
]


@pytest.mark.parametrize("text", SPELLINGS)
def test_every_toml_spelling_of_the_table_is_found(tmp_path, text):
    (tmp_path / "pyproject.toml").write_text(text)
    template = tmp_path / "t.json"
    template.write_text("{}")
    assert find_config(template) == tmp_path / "pyproject.toml"
    assert ConfigCache().for_path(template).ignore == ("AIB004",)


@pytest.mark.parametrize(
    "text", ["[tool.black]\nline-length = 100\n", '# aiblint is configured elsewhere\n[project]\nname = "x"\n']
)
def test_a_pyproject_without_the_table_is_passed_over(tmp_path, text):
    (tmp_path / "pyproject.toml").write_text(text)
    template = tmp_path / "t.json"
    template.write_text("{}")
    assert find_config(template) != tmp_path / "pyproject.toml"


def test_a_broken_pyproject_that_names_aiblint_is_reported_not_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.aiblint\nignore = [")
    template = tmp_path / "t.json"
    template.write_text("{}")
    assert main([str(template)]) == 2


def _noting_rule(ctx: FileContext) -> None:
    ctx.notes.append("a remark for stderr")
    ctx.report("AIB998", Span(0, 1), "a finding the baseline hides")


def test_baseline_keeps_the_stderr_notes(tmp_path, capsys, monkeypatch):
    load_all()
    monkeypatch.setitem(RULES, "AIB998", RuleInfo("AIB998", "notes", Severity.WARNING, True, _noting_rule, "file"))
    template = tmp_path / "t.json"
    template.write_text("{}")
    baseline = tmp_path / "baseline.json"
    main(["--write-baseline", str(baseline), str(template)])
    capsys.readouterr()
    status = main(["--baseline", str(baseline), str(template)])
    captured = capsys.readouterr()
    assert "AIB998" not in captured.out  # hidden by the baseline
    assert f"aiblint: note: {template}: a remark for stderr" in captured.err
    assert status in (0, 1)
