"""`aiblint diagnose` output: the JSON document (cli.md's contract plus additive fields) and the text report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiblint.diagnose.reader import printable
from aiblint.diagnose.steps import PhaseMark, Step

if TYPE_CHECKING:
    from aiblint.diagnose import Diagnosis, Failure


def _evidence(mark: PhaseMark | None) -> dict[str, Any] | None:
    return None if mark is None else {"line": mark.line, "text": mark.text}


def _failure(failure: Failure) -> dict[str, Any]:
    signature = failure.signature
    item: dict[str, Any] = {
        "id": signature.id,
        "title": signature.title,
        "cause": failure.cause,
        "fix": failure.fix,
        "rules": failure.rules,
        "evidence": {"line": failure.line, "text": failure.text},
        "documented": signature.documented,
        "guides": signature.guides,
    }
    if not signature.documented and signature.source:
        item["source"] = signature.source
    if failure.harmless:
        item["harmless"] = True
    if failure.exit is not None:
        item["exit_code"] = {
            "code": failure.exit.code,
            "meaning": failure.exit.meaning,
            "success": failure.exit.success,
            "line": failure.exit_line,
        }
    if failure.phase is not None:
        item["phase"] = failure.phase.name
    return item


def _step(step: Step) -> dict[str, Any]:
    return {
        "name": step.name,
        "started_line": step.started_line,
        "ended": step.ended,
        **({"deprovisioning": True} if step.deprovisioning else {}),
        **({"template": step.template} if step.template else {}),
        **({"script": step.script} if step.script else {}),
        "evidence": step.evidence[:400],
    }


def to_json(diagnosis: Diagnosis) -> dict[str, Any]:
    failed = diagnosis.failed_step
    document: dict[str, Any] = {
        "failures": [_failure(f) for f in diagnosis.failures],
        "warnings": [_failure(f) for f in diagnosis.warnings],
        "phase": diagnosis.phase,
        "phase_evidence": _evidence(diagnosis.phase_evidence),
        "customizers": [_step(s) for s in diagnosis.steps],
        "customizers_total": diagnosis.tracker.total_steps,
        "failed_customizer": None
        if failed is None or failed.deprovisioning
        else (failed.template["name"] if failed.template and failed.template.get("name") else failed.name),
        "failed_step": None if failed is None else _step(failed),
    }
    if failed is not None and failed.template is not None and not failed.deprovisioning:
        document["failed_customizer_position"] = failed.template
    if not diagnosis.failures:
        document["unknown"] = {
            "error_lines": [{"line": n, "text": t} for n, t in diagnosis.error_lines],
            "error_line_count": diagnosis.error_line_count,
            "nearest": [{"id": n.id, "why": n.why} for n in diagnosis.near],
        }
    return document


def _failure_text(out: list[str], lead: str, failure: Failure) -> None:
    signature = failure.signature
    where = "" if signature.documented else "  (known failure, not in the troubleshooting guide)"
    out.append(f"{lead}: {signature.title}  [{signature.id}]{where}")
    out.append(f"  cause:    {failure.cause}")
    out.append(f"  fix:      {failure.fix}")
    if failure.rules:
        out.append(f"  caught before submission by: {', '.join(failure.rules)} (see `aiblint rule {failure.rules[0]}`)")
    out.append(f"  evidence: line {failure.line}: {printable(failure.text)}")
    if failure.exit is not None and failure.exit_line != failure.line:
        out.append(f"  exit code: {failure.exit.code} (line {failure.exit_line})")
    out.append("")


def render_text(diagnosis: Diagnosis) -> str:
    out: list[str] = []
    for number, failure in enumerate(diagnosis.failures, 1):
        _failure_text(out, "Root cause" if number == 1 else "Also", failure)
    for warning in diagnosis.warnings:
        _failure_text(out, "Harmless warning", warning)
    if not diagnosis.failures:
        _unknown_text(out, diagnosis)
    if diagnosis.phase and diagnosis.phase_evidence is not None:
        mark = diagnosis.phase_evidence
        out.append(f"Phase: {diagnosis.phase} (line {mark.line}: {printable(mark.text[:160])})")
    failed = diagnosis.failed_step
    if failed is not None:
        if failed.deprovisioning:
            out.append(
                f"Running: AIB's own deprovisioning step (started line {failed.started_line}), not one of your customizers"
            )
        else:
            where = ""
            if failed.template:
                where = f" = customizer '{printable(failed.template['name'])}' (customize[{failed.template['index']}], {printable(failed.template['file'])} line {failed.template['line']})"
            seen = (
                "never ended" if failed.telemetry else f"seen from line {failed.started_line}: {printable(failed.evidence[:120])}"
            )
            ordinal = f", {_ordinal(failed.ordinal + 1)} {failed.name} step"
            out.append(f"Failed customizer: {failed.name}{ordinal} (started line {failed.started_line}, {seen}){where}")
    return "\n".join(out).rstrip() + "\n"


def _unknown_text(out: list[str], diagnosis: Diagnosis) -> None:
    out.append("No documented Image Builder failure recognised in this input.")
    if diagnosis.error_lines:
        out.append(f"Lines that look like errors ({diagnosis.error_line_count}; the first {len(diagnosis.error_lines)}):")
        out.extend(f"  line {n}: {printable(t[:200])}" for n, t in diagnosis.error_lines)
    if diagnosis.near:
        out.append("Nearest signatures, and why they did not match:")
        out.extend(f"  {n.id}: {printable(n.why)}" for n in diagnosis.near)
    out.append("")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
