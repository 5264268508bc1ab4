"""AIB004, AIB005: what the lenient JSON grammar accepted but the submitting tool will not."""

from __future__ import annotations

from aiblint.context import FileContext
from aiblint.diagnostics import Span
from aiblint.registry import rule


@rule("AIB004", "warning", "trailing comma, or comments in a bare template", scope="file")
def lenient_json(ctx: FileContext) -> None:
    for comma in ctx.document.trailing_commas:
        ctx.report(
            "AIB004",
            Span(comma, comma + 1),
            "trailing comma: strict JSON parsers (az, the REST API) reject it",
            pointer="",
        )
    if ctx.is_bare:
        for start, end in ctx.document.comments:
            ctx.report(
                "AIB004",
                Span(start, end),
                "comment in a bare template: `az image builder create` parses the file as strict JSON",
                pointer="",
            )


@rule("AIB005", "error", "duplicate key in one object", scope="file")
def duplicate_keys(ctx: FileContext) -> None:
    lines = ctx.document.lines
    for first, later in ctx.document.duplicate_keys:
        line, _ = lines.position(first.start)
        same = "" if first.text == later.text else f" (as '{first.text}', compared case-insensitively as ARM does)"
        ctx.report(
            "AIB005",
            later,
            f"duplicate key '{later.text}'{same}: line {line} already has it and this later value silently wins",
        )
