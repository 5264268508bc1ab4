"""Which rule codes exist, from the rule pages alone (every rule has one).

The config and the CLI check the codes a user names without importing the rules.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


def pages_dir() -> Path:
    """Installed wheels carry the pages inside the package; a checkout has them at the top."""
    packaged = Path(__file__).parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def page_codes() -> list[str]:
    folder = pages_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("AIB*.md"))


@lru_cache(maxsize=4096)  # a config names the same few codes thousands of times (per-file-ignores)
def is_known_code(text: str) -> bool:
    """``ALL``, a ShellCheck code, or a prefix of a rule code. Every rule has a page, so the
    pages are the list of codes: the config and the CLI check codes without importing the rules."""
    if text == "ALL":
        return True
    if text.startswith("SC") and (text == "SC" or text[2:].isdigit()):
        return True  # ShellCheck's own codes
    return text.startswith("AIB") and any(code.startswith(text) for code in _page_codes())


@lru_cache(maxsize=1)
def _page_codes() -> tuple[str, ...]:
    return tuple(page_codes())
