"""Every rule declares its code, default severity, title and family here.

The check functions live in ``aiblint.rules.*``, which register themselves here when the
package is imported; this module imports nothing of them (layers import one way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiblint.diagnostics import Severity

FAMILIES = {
    "AIB0": "file, structure, schema",
    "AIB1": "identity, permissions, submission",
    "AIB2": "build resources and timing",
    "AIB3": "customizers (template level)",
    "AIB4": "Shell customizer scripts",
    "AIB5": "PowerShell customizer scripts",
}


@dataclass(frozen=True)
class RuleInfo:
    code: str
    title: str
    severity: Severity  # the highest it reports; context may lower it
    default_enabled: bool = True
    check: Callable[..., Any] | None = None
    scope: str = "pipeline"  # pipeline | file | template | shell | powershell

    @property
    def family(self) -> str:
        return FAMILIES.get(self.code[:4], "other")


RULES: dict[str, RuleInfo] = {}


def declare(code: str, severity: str, title: str, *, default: bool = True, scope: str = "pipeline") -> None:
    """Declare a rule whose findings the pipeline itself emits (parse errors and the like)."""
    RULES[code] = RuleInfo(code, title, Severity.parse(severity), default, None, scope)


def rule(
    code: str, severity: str, title: str, *, scope: str, default: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a check function: ``scope`` says what it is handed (file, template, shell, powershell)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if code in RULES:
            raise RuntimeError(f"rule {code} registered twice")
        RULES[code] = RuleInfo(code, title, Severity.parse(severity), default, func, scope)
        return func

    return register


def checks(scope: str) -> list[RuleInfo]:
    """The registered checks of one scope (``import aiblint.rules`` registers them all)."""
    return [info for info in RULES.values() if info.scope == scope and info.check is not None]
