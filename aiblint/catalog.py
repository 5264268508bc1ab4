"""The rule pages in ``rules/`` (one Markdown file per code) behind ``aiblint rule CODE``."""

from __future__ import annotations

from pathlib import Path

from aiblint.codes import page_codes as page_codes  # re-exported: the catalog lists the pages
from aiblint.codes import pages_dir

REQUIRED_SECTIONS = ("## What it detects", "## Why", "## Bad", "## Good", "## Suppress")


def page_path(code: str) -> Path:
    return pages_dir() / f"{code}.md"


def page(code: str) -> str | None:
    path = page_path(code)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    # `<!-- example: arm -->` and the like tell tests/rule_examples.py how to run an example
    text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("<!-- example: "))
    if "{{estimate-model}}" in text:
        text = text.replace("{{estimate-model}}", estimate_table())
    prevents = prevented_failures(code)
    if prevents:
        listed = "\n".join(f"- `{sid}`: {title}" for sid, title in prevents)
        text = text.rstrip() + f"\n\n## Prevents (guide section = `aiblint diagnose` id)\n{listed}\n"
    return text


def prevented_failures(code: str) -> list[tuple[str, str]]:
    """The troubleshooting-guide failures this rule catches before submission."""
    import json

    data = json.loads((Path(__file__).parent / "data" / "signatures.json").read_text(encoding="utf-8"))
    found = []
    for item in data["signatures"]:
        rules = set(item["rules"]) | {r for v in item.get("variants", []) for r in v["rules"]}
        if code in rules:
            # a known failure that no guide documents must not be listed as a guide section
            undocumented = item.get("documented", True) is False
            found.append((item["id"], item["title"] + (" (known failure, not in the guide)" if undocumented else "")))
    return found


def estimate_table() -> str:
    """The build-time model (aiblint/data/build_time.json) as a Markdown table."""
    from aiblint.estimate import model

    data = model()
    rows = ["| part | minutes | why |", "|---|---|---|"]
    for name, part in data["parts"].items():
        rows.append(f"| {name.replace('_', ' ')} | {part['minutes']} | {part['why']} |")
    rows.append(
        f"\nA timeout of 0 or none means {data['default_timeout_minutes']} minutes. The figures are lower bounds: a warning means the timeout is short even for a quick build."
    )
    return "\n".join(rows)


def section(text: str, heading: str) -> str:
    """The body under ``## heading`` up to the next ``## ``."""
    marker = f"## {heading}"
    start = text.find(marker)
    if start < 0:
        return ""
    start = text.find("\n", start) + 1
    end = text.find("\n## ", start)
    return text[start : end if end >= 0 else len(text)].strip()
