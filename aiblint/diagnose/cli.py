"""`aiblint diagnose FILE|- [--format text|json] [--template FILE]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aiblint.diagnose import attach_template, diagnose_path, diagnose_stream
from aiblint.diagnose.output import render_text
from aiblint.diagnose.reader import InputError, printable


def run(args: list[str], parser: Any, usage_error: type[Exception]) -> int:
    parser.add_argument(
        "input", help="a customization.log, an error message, `az image builder show` JSON or a DevOps task log; '-' reads stdin"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--template", type=Path, help="the template that was built: failed steps are named after its customizers")
    options = parser.parse_args(args)
    shown = printable(options.input[:300])
    try:
        diagnosis = diagnose_stream(sys.stdin.buffer) if options.input == "-" else diagnose_path(options.input)
    except InputError as exc:
        raise usage_error(f"{shown}: {exc}") from None
    except OSError as exc:
        raise usage_error(f"{shown}: {exc.strerror or type(exc).__name__}") from None
    if options.template is not None:
        template = printable(str(options.template)[:300])
        try:
            attach_template(diagnosis, options.template, str(options.template))
        except InputError as exc:
            raise usage_error(f"--template: {template}: {exc}") from None
        except OSError as exc:
            raise usage_error(f"--template: {template}: {exc.strerror or type(exc).__name__}") from None
        except Exception as exc:  # a template that does not parse: say so, keep the diagnosis
            print(
                f"aiblint: note: --template {template} could not be read as a template ({type(exc).__name__}); steps keep their provisioner names",
                file=sys.stderr,
            )
    if options.format == "json":
        print(json.dumps(diagnosis.to_json(), indent=2, ensure_ascii=True))
    else:
        print(render_text(diagnosis), end="")
    return 0
