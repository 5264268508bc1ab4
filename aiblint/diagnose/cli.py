"""`aiblint diagnose FILE|- [--format text|json] [--template FILE]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aiblint.diagnose import Diagnosis, attach_template, diagnose


def run(args: list[str], parser: Any, usage_error: type[Exception]) -> int:
    parser.add_argument(
        "input", help="a customization.log, an error message, `az image builder show` JSON or a DevOps task log; '-' reads stdin"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--template", type=Path, help="the template that was built: failed steps are named after its customizers")
    options = parser.parse_args(args)
    try:
        if options.input == "-":
            diagnosis = diagnose(sys.stdin.buffer)
        else:
            with open(options.input, "rb") as handle:
                diagnosis = diagnose(handle)
    except OSError as exc:
        raise usage_error(f"{options.input}: {exc.strerror or exc}") from None
    if options.template is not None:
        try:
            attach_template(diagnosis, options.template, str(options.template))
        except OSError as exc:
            raise usage_error(f"--template: {options.template}: {exc.strerror or exc}") from None
        except Exception as exc:  # a template that does not parse: say so, keep the diagnosis
            print(
                f"aiblint: note: --template {options.template} could not be read as a template ({type(exc).__name__}); steps keep their provisioner names",
                file=sys.stderr,
            )
    if options.format == "json":
        print(json.dumps(diagnosis.to_json(), indent=2, ensure_ascii=False))
    else:
        print(render_text(diagnosis), end="")
    return 0


def render_text(diagnosis: Diagnosis) -> str:
    out: list[str] = []
    if not diagnosis.failures:
        out.append("No documented Image Builder failure recognised in this input.")
    for number, failure in enumerate(diagnosis.failures, 1):
        signature = failure.signature
        lead = "Root cause" if number == 1 else "Also"
        out.append(f"{lead}: {signature.title}  [{signature.id}]")
        out.append(f"  cause:    {failure.cause}")
        out.append(f"  fix:      {signature.fix}")
        if failure.rules:
            out.append(f"  caught before submission by: {', '.join(failure.rules)} (see `aiblint rule {failure.rules[0]}`)")
        out.append(f"  evidence: line {failure.line}: {failure.text}")
        out.append("")
    if diagnosis.phase:
        out.append(f"Phase: {diagnosis.phase}")
    failed = diagnosis.failed_step
    if failed is not None:
        if failed.deprovisioning:
            out.append(
                f"Running: AIB's own deprovisioning step (started line {failed.started_line}), not one of your customizers"
            )
        else:
            where = ""
            if failed.template:
                where = f" = customizer '{failed.template['name']}' (customize[{failed.template['index']}], {failed.template['file']} line {failed.template['line']})"
            out.append(f"Failed customizer: {failed.name} (started line {failed.started_line}, never ended){where}")
    return "\n".join(out).rstrip() + "\n"
