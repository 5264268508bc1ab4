"""The script pass of the pipeline: each script's rules run on its model, then the model is freed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiblint.registry import checks
from aiblint.scripts.collect import Script, ScriptContext, flush_findings, shellcheck_pass

if TYPE_CHECKING:
    from aiblint.template import TemplateContext


def analyse_scripts(template: TemplateContext) -> None:
    for script in template.scripts:
        if script.language == "shell" and template.config.shellcheck:
            shellcheck_pass(template, script)
        rules = checks(script.language)
        if not rules:
            continue
        context = ScriptContext(template, script)
        for info in rules:
            if info.check is not None and template.enabled(info.code):
                info.check(context)
        if script.too_deep:
            note = f"a {script.language} script at {script.source.pointer} is nested too deeply to analyse: its script rules were skipped"
            if note not in template.file.notes:
                template.file.notes.append(note)
        flush_findings(template, script)
        _summarize(template, script)
        script.release_model()


def _summarize(template: TemplateContext, script: Script) -> None:
    """Compute, while the model exists, what the template-level rules (run after this pass)
    read from it: the build estimate's costs and AIB030's secrets."""
    from aiblint.estimate import script_costs
    from aiblint.scripts.facts import script_secrets

    script_costs(script)
    if template.enabled("AIB030"):
        script_secrets(script)
