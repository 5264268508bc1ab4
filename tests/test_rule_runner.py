"""One rule runner for every scope: a rule that raises costs only its own findings.

Each test registers a deliberately failing rule of one scope (in the test only), lints three
example files, and checks that every other finding of every file is still printed, that one
internal-error line per file names the rule, the file and the exception, and that the exit
status is 2.
"""

from __future__ import annotations

import json

import pytest

from aiblint.cli import main
from aiblint.diagnostics import Severity
from aiblint.registry import RULES, RuleInfo
from aiblint.rules import load_all

FILES = ["examples/ubuntu-hazards.json", "examples/ubuntu-good.json", "examples/windows-good.json"]
# which of FILES hand a rule of each scope something to run on
REACHED = {
    "file": FILES,
    "template": FILES,
    "shell": FILES[:2],
    "powershell": FILES[2:],
}


def _broken(argument: object) -> None:
    raise KeyError("deliberate")


def _lint(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[dict[str, object]], list[str]]:
    status = main(["--format", "json", *extra, *FILES])
    captured = capsys.readouterr()
    return status, json.loads(captured.out)["diagnostics"], captured.err.splitlines()


@pytest.mark.parametrize("scope", sorted(REACHED))
def test_a_failing_rule_names_itself_and_hides_nothing_else(scope, capsys, monkeypatch):
    load_all()
    expected_status, expected, _ = _lint(capsys)
    assert expected_status == 1 and expected  # ubuntu-hazards has findings to lose
    monkeypatch.setitem(RULES, "AIB999", RuleInfo("AIB999", "always fails", Severity.ERROR, True, _broken, scope))

    status, diagnostics, errors = _lint(capsys)

    assert status == 2
    assert diagnostics == expected  # every other rule of every file still ran and printed
    failed = [line for line in errors if "internal error" in line]
    assert len(failed) == len(REACHED[scope])  # once per file, however many scripts it has
    for path, line in zip(REACHED[scope], failed, strict=True):
        assert line.startswith(f"aiblint: internal error: rule AIB999 failed on {path}")
        assert "KeyError: 'deliberate'" in line
        if scope in ("shell", "powershell"):
            assert f"({scope} script at /" in line  # which script of the file


def test_a_failing_rule_that_is_not_selected_does_not_run(capsys, monkeypatch):
    load_all()  # an opt-in rule, not selected: never called
    monkeypatch.setitem(RULES, "AIB999", RuleInfo("AIB999", "always fails", Severity.ERROR, False, _broken, "template"))
    status, _, errors = _lint(capsys)
    assert status == 1
    assert not [line for line in errors if "internal error" in line]


def test_a_failing_script_model_costs_only_that_scripts_rules(capsys, monkeypatch):
    import aiblint.scripts.shell

    def broken_model(text: str, *args: object, **kwargs: object) -> None:
        raise ValueError("deliberate")

    load_all()
    _, expected, _ = _lint(capsys)
    monkeypatch.setattr(aiblint.scripts.shell, "analyse", broken_model)
    status, diagnostics, errors = _lint(capsys)
    assert status == 2
    # the Shell findings of ubuntu-hazards are lost; the template rules' and the Windows file's are not
    assert [d for d in diagnostics if not str(d["code"]).startswith("AIB4")] == [
        d for d in expected if not str(d["code"]).startswith("AIB4")
    ]
    failed = [line for line in errors if "internal error" in line]
    assert len(failed) == 2 and all("rule shell model failed on examples/ubuntu-" in line for line in failed)
    assert all("ValueError: deliberate" in line for line in failed)
