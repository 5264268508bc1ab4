from __future__ import annotations

from typing import Any


def collect_scripts(ctx: Any) -> list[Any]:
    return []


def analyse_scripts(ctx: Any) -> None:
    return None
