"""Rule modules, one per family. Importing this package registers every rule."""

from aiblint.registry import RULES, RuleInfo, declare

# Codes the pipeline itself emits (aiblint/lint.py, aiblint/scripts/collect.py).
declare("AIB001", "error", "not valid JSON / JSON with comments")
declare("AIB002", "warning", "no image template in a file named explicitly")
declare("AIB090", "info", "suppression comment that silenced nothing")

from aiblint.rules import powershell, schema_rules, shell, shell_system, structure, template_rules, values  # noqa: E402, F401


def load_all() -> dict[str, RuleInfo]:
    """The registry with every rule of this package registered (by importing it)."""
    return RULES
