"""The honest unknown: when no signature matched, which ones came nearest and why they did not match."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiblint.diagnose.signatures import Signature

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_#/'-]{3,}")
MAX_NEAREST = 3


@dataclass
class NearMiss:
    id: str
    why: str


def nearest(sigs: list[Signature], error_lines: list[tuple[int, str]], unless_hits: dict[str, str]) -> list[NearMiss]:
    found = [NearMiss(sid, why) for sid, why in unless_hits.items()][:MAX_NEAREST]
    scored: list[tuple[int, int, str, str]] = []
    for number, text in error_lines:
        words = {w.lower() for w in _WORD.findall(text)}
        for index, signature in enumerate(sigs):
            if signature.id in unless_hits:
                continue
            shared = sorted(words & signature.keywords)
            if len(shared) >= 2 or (shared and len(signature.keywords) <= 2):
                pattern = signature.patterns[0].source
                why = f"line {number} has {', '.join(repr(w) for w in shared[:4])} but not its text `{pattern[:120]}`"
                scored.append((-len(shared), index, signature.id, why))
    seen = {n.id for n in found}
    for _, _, sid, why in sorted(scored):
        if len(found) >= MAX_NEAREST:
            break
        if sid not in seen:
            seen.add(sid)
            found.append(NearMiss(sid, why))
    return found
