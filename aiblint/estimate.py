"""How long a template's build will take, at least: the model behind AIB200-AIB204.

The numbers live in aiblint/data/build_time.json, each with its reason; this module only
counts what the template declares (customizers, downloads the scripts make, sleeps,
restarts, Windows Update, replication regions) and multiplies.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiblint.jsontree import ArrayNode, ObjectNode

DATA = Path(__file__).resolve().parent / "data" / "build_time.json"


@lru_cache(maxsize=1)
def model() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def minutes(part: str) -> int:
    value: int = model()["parts"][part]["minutes"]
    return value


@dataclass
class Estimate:
    parts: list[tuple[str, int]] = field(default_factory=list)  # (what, minutes)
    replication: int = 0  # minutes of gallery replication, kept apart for AIB203

    def add(self, what: str, amount: float) -> None:
        if amount > 0:
            self.parts.append((what, round(amount)))

    @property
    def build(self) -> int:
        return sum(m for _, m in self.parts)

    @property
    def total(self) -> int:
        return self.build + self.replication

    def describe(self, with_replication: bool = False) -> str:
        grouped: dict[str, int] = {}
        for what, amount in self.parts:
            grouped[what] = grouped.get(what, 0) + amount
        if with_replication and self.replication:
            grouped["gallery replication"] = self.replication
        items = sorted(grouped.items(), key=lambda item: -item[1])
        total = self.total if with_replication else self.build
        return f"estimated at least {format_minutes(total)}: " + ", ".join(f"{what} {amount} min" for what, amount in items)


def format_minutes(total: int) -> str:
    hours, rest = divmod(total, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def script_costs(script: Any) -> list[tuple[str, float]]:
    """The minutes a script adds (sleeps, large downloads, Windows Update): read from the same facts the script
    rules report (aiblint/scripts/facts.py), so AIB200's estimate counts what AIB430/AIB431 and
    AIB530/AIB531 see. The facts are kept on the script after its model is freed."""
    from aiblint.scripts.facts import script_facts

    facts = script_facts(script)
    costs: list[tuple[str, float]] = [("sleeps", sleep.seconds / 60) for sleep in facts.sleeps]
    costs.extend(("large downloads", minutes("large_download")) for download in facts.downloads if download.large)
    if facts.windows_updates:  # a script that runs Windows Update does a WindowsUpdate customizer's work
        costs.append(("Windows Update", minutes("windows_update")))
    script.summaries["costs"] = costs  # kept with the script, as the template rules read it
    return costs


def estimate(ctx: Any) -> Estimate:
    """ctx: a TemplateContext. Scripts count through script_costs (no re-parsing)."""
    from aiblint.scripts.facts import large_artifact

    result = Estimate()
    template = ctx.template
    windows = ctx.source_info.is_windows
    result.add("VM deployment", minutes("vm_deployment_windows" if windows else "vm_deployment_linux"))
    for step in template.customizers:
        kind = step.kind
        if kind == "shell":
            result.add("Shell steps", minutes("shell_step"))
        elif kind == "powershell":
            result.add("PowerShell steps", minutes("powershell_step"))
        elif kind == "file":
            uri = step.text("sourceUri") or ""
            result.add("File steps", minutes("file_step"))
            if large_artifact(uri):
                result.add("large downloads", minutes("large_download"))
        elif kind == "windowsrestart":
            result.add("restarts", minutes("windows_restart"))
        elif kind == "windowsupdate":
            result.add("Windows Update", minutes("windows_update"))
    result.add("validation", minutes("validation_step") * len(template.validators))
    for script in ctx.scripts:
        for what, amount in script_costs(script):
            result.add(what, amount)
    result.add("deprovisioning", minutes("deprovision_windows" if windows else "deprovision_linux"))
    result.add("image capture", minutes("capture"))
    result.replication = minutes("replication_region") * max(0, replication_regions(ctx) - 1)
    return result


def replication_regions(ctx: Any) -> int:
    count = 0
    for distributor in ctx.template.distributors:
        if ctx.template.kind_of(distributor) != "sharedimage":
            continue
        for key in ("targetRegions", "replicationRegions"):
            node = distributor.get_ci(key)
            if isinstance(node, ArrayNode):
                count += len(node.items)
                break
            if node is not None and not isinstance(node, ObjectNode):
                count += 1
                break
    return count


def timeout_minutes(ctx: Any) -> tuple[int | None, bool]:
    """(effective timeout, given explicitly); None when it is an unresolved expression."""
    node = ctx.template.prop("buildTimeoutInMinutes")
    if node is None:
        return model()["default_timeout_minutes"], False
    value = ctx.template.value(node)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None, True
    return (int(value) or model()["default_timeout_minutes"]), True
