"""``--statistics``: how many findings of each code, most frequent first (ruff's layout)."""

from __future__ import annotations

import json
from collections import Counter

from aiblint.lint import FileResult


def render(results: list[FileResult], *, json_output: bool = False) -> str:
    from aiblint.registry import RULES

    counts = Counter(d.code for r in results for d in r.diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    titles = {code: (RULES[code].title if code in RULES else "ShellCheck") for code, _ in rows}
    if json_output:
        return json.dumps([{"code": c, "count": n, "title": titles[c]} for c, n in rows], indent=2) + "\n"
    width = max((len(str(n)) for _, n in rows), default=1)
    return "".join(f"{n:>{width}}\t{c}\t{titles[c]}\n" for c, n in rows)
