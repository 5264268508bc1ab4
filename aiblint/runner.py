"""The one rule runner of every scope (file, template, Shell, PowerShell), and the script pass.

A rule that raises costs only its own findings: it is recorded once per file as an internal
error naming the rule, the file and the exception (the CLI prints it and exits 2), and every
other rule and file still runs and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiblint.context import FileContext
from aiblint.registry import RuleInfo, checks
from aiblint.scripts.collect import Script, ScriptContext, flush_findings, shellcheck_pass

if TYPE_CHECKING:
    from aiblint.scripts.models import SharedModels
    from aiblint.template import TemplateContext


def run_rules(rules: list[RuleInfo], argument: Any, file: FileContext, where: str = "") -> None:
    """Run each enabled rule on ``argument`` (what its scope is handed); ``where`` says which
    part of the file (a script's pointer) for the internal-error message."""
    for info in rules:
        if not file.enabled(info.code):
            continue
        check: Callable[[Any], None] = info.check  # type: ignore[assignment]
        try:
            check(argument)
        except RecursionError:
            continue  # pathological nesting: the rule gives up on this file
        except Exception as exc:  # a bug in a rule must not hide other rules' or files' findings
            file.rule_failed(info.code, exc, where)


def analyse_scripts(template: TemplateContext, shared: SharedModels | None = None) -> None:
    """``shared``: models of identical scripts, while the instances of one copy loop are linted."""
    for script in template.scripts:
        if script.language == "shell" and template.config.shellcheck:
            shellcheck_pass(template, script)
        rules = checks(script.language)
        if not rules:
            continue
        analysed = shared is not None and shared.lend(script)
        if not analysed:
            try:
                script.model  # noqa: B018  (built here, once, for every rule)
                analysed = True
            except Exception as exc:  # a bug in the model: this script's rules are lost, say so
                template.file.rule_failed(f"{script.language} model", exc, script.source.pointer)
                script.__dict__["model"] = script.empty_model()
        if analysed:
            context = ScriptContext(template, script)
            run_rules(rules, context, template.file, f"{script.language} script at {script.source.pointer}")
        if script.too_deep:
            note = f"a {script.language} script at {script.source.pointer} is nested too deeply to analyse: its script rules were skipped"
            if note not in template.file.notes:
                template.file.notes.append(note)
        flush_findings(template, script)
        _summarize(template, script)
        if shared is not None and analysed:
            shared.keep(script)
        script.release_model()


def _summarize(template: TemplateContext, script: Script) -> None:
    """Compute, while the model exists, what the template-level rules (run after this pass)
    read from it: the script facts behind the build estimate, and AIB030's secrets."""
    from aiblint.scripts.facts import script_facts, script_secrets

    script_facts(script)
    if template.enabled("AIB030"):
        script_secrets(script)
