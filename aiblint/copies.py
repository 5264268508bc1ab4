"""One finding per place for an image template that a resource-level ``copy`` loop deploys N times.

Each instance is linted with its own copyIndex() (aiblint/locate.py); most of what the rules
find is the same in every instance, at the same source position. Identical findings become
one; a finding that only some instances have names them ("copyIndex() 0, 2 of 3"); where the
instances' values differ at one place (a name built from copyIndex()), the first instance's
message is kept and the others become related locations naming their iterations.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiblint.diagnostics import Finding
from aiblint.locate import CopyInstance, Located

MAX_RELATED = 20  # other instances' messages carried as related locations; the rest are counted
# What the instances of a file's copy loops may cost beyond their first, measured on each
# loop's first instance: the characters of its scripts plus SCRIPT_COST per script (a
# script's fixed lint cost, ~0.4 ms). The template's own text is budgeted before (aiblint/locate.py);
# this catches what evaluation multiplies (a property copy loop, range(), variables):
# 800 customizers made by a property loop cost ~0.35 s per instance, 200 instances of a
# 150-line script (2.6 M) ~1.7 s on a loaded 2-CPU machine: 3 M stays near the 2 s goal.
MAX_INSTANCE_COST = 3_000_000
SCRIPT_COST = 1_000


def affordable(template: Any, instance: Located, instances: int, first: bool) -> str | None:
    """None while the instances of ``instance``'s copy loop may go on being linted, judging by
    what ``instance`` (a TemplateContext, just linted) cost: the first instance's cost times
    the ``instances`` deployed must fit the file's budget, and each later one is charged what
    it cost (a loop whose scripts grow with copyIndex()); else the note saying why not."""
    budget = instance.scope.budget if instance.scope is not None else None
    if budget is None or instance.copy is None:
        return None
    cost = sum(len(script.source.text) + SCRIPT_COST for script in template.scripts)
    if first:
        if budget.instance_cost + cost * (instances - 1) <= MAX_INSTANCE_COST:
            return None
    else:
        budget.instance_cost += cost
        if budget.instance_cost <= MAX_INSTANCE_COST:
            return None
    return (
        f"the image template at {instance.resource.pointer} is a copy loop of {instance.copy.count} instances whose scripts "
        "are too large to lint every instance in one file: it is linted once, with copyIndex() unknown"
    )


def linted_once(first: Located, note: str) -> Located:
    """``first``'s image template as one template with copyIndex() unknown, with ``note``."""
    scope = first.scope.owner or first.scope if first.scope is not None else None
    return replace(first, scope=scope, copy=None, notes=[*first.notes, note])


def fold_instances(instances: list[tuple[CopyInstance, list[Finding]]]) -> list[Finding]:
    """The findings of every instance of one copied image template, folded per place."""
    if not instances:
        return []
    deployed = len(instances)  # a per-instance condition may skip some of the count
    places: dict[tuple[str, object, str | None, int, int], dict[str, tuple[Finding, list[int]]]] = {}
    for ordinal, (_instance, findings) in enumerate(instances):
        for finding in findings:
            key = (finding.code, finding.severity, finding.file, finding.span.start, finding.span.end)
            _first, ordinals = places.setdefault(key, {}).setdefault(finding.message, (finding, []))
            if not ordinals or ordinals[-1] != ordinal:
                ordinals.append(ordinal)
    labels = _Labels([instance for instance, _ in instances])
    folded: list[Finding] = []
    for by_message in places.values():
        everywhere = [finding for finding, ordinals in by_message.values() if len(ordinals) == deployed]
        folded.extend(everywhere)
        varying = [(finding, ordinals) for finding, ordinals in by_message.values() if len(ordinals) != deployed]
        if varying:
            folded.append(_one_for_all(varying, labels))
    return folded


class _Labels:
    """How the instances of one image template are named: ``copyIndex() 0, 2`` of its one
    loop, or ``(0, 1), (1, 0)`` of a copied deployment's loop and the template's own."""

    def __init__(self, instances: list[CopyInstance]) -> None:
        self.instances = instances
        chains = {tuple(link.loop for link in instance.chain) for instance in instances}
        self.loops = next(iter(chains)) if len(chains) == 1 else ()
        self.count = max(instance.total for instance in instances)

    def where(self, ordinals: list[int]) -> str:
        if len(self.loops) == 1:
            return f"copy loop '{self.loops[0]}': copyIndex() {self.which(ordinals)} of {self.count} instances"
        named = " > ".join(f"'{loop}'" for loop in self.loops) if self.loops else "nested"
        return f"copy loops {named}: instances {self.which(ordinals)} of {self.count}"

    def which(self, ordinals: list[int]) -> str:
        if len(self.loops) == 1:
            return ranges([self.instances[ordinal].index for ordinal in ordinals])
        shown = [self._path(self.instances[ordinal]) for ordinal in ordinals[:MAX_LISTED]]
        more = len(ordinals) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")

    def _path(self, instance: CopyInstance) -> str:
        if self.loops:
            return "(" + ", ".join(str(link.index) for link in instance.chain) + ")"
        return "(" + ", ".join(f"{link.loop} {link.index}" for link in instance.chain) + ")"


MAX_LISTED = 10  # instances named in a message when several loops are nested


def _one_for_all(varying: list[tuple[Finding, list[int]]], labels: _Labels) -> Finding:
    """The first instance's finding, naming its iterations; the others' messages as related."""
    (first, ordinals), others = varying[0], varying[1:]
    where = labels.where(ordinals)
    if others:
        where += "; the other instances differ, see the related locations"
        if len(others) > MAX_RELATED:
            where += f" ({len(others) - MAX_RELATED} more not listed)"
    prefix = "copyIndex() " if len(labels.loops) == 1 else ""
    related = first.related + tuple(
        (finding.file, finding.span.start, finding.span.end, f"{prefix}{labels.which(other)}: {finding.message}")
        for finding, other in others[:MAX_RELATED]
    )
    # A fix worked out from one instance's values may be wrong for the others: none is offered.
    return replace(first, message=f"{first.message} ({where})", related=related, fix=None)


def ranges(indexes: list[int]) -> str:
    """[0, 1, 2, 5] -> "0-2, 5"."""
    parts: list[str] = []
    start = previous = indexes[0]
    for index in [*indexes[1:], None]:
        if index is not None and index == previous + 1:
            previous = index
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if index is not None:
            start = previous = index
    return ", ".join(parts)
