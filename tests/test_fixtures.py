"""Every fixture's output equals its snapshot, and every rule has a trigger and a near miss."""

from __future__ import annotations

import pytest

from aiblint.rules import load_all
from tests.script_cases import case_files, parse_cases
from tests.snapshot_tool import FIXTURES, ROOT, expected_path, fixture_files, render

FILES = fixture_files()
COMPACT = [case for path in case_files() for case in parse_cases(path)]


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(FIXTURES).as_posix() for p in FILES])
def test_fixture_matches_snapshot(path):
    expected = expected_path(path)
    assert expected.exists(), f"no snapshot: run `python tests/snapshot_tool.py --update` and review {expected.relative_to(ROOT)}"
    assert render(path) == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("code", sorted(load_all()))
def test_rule_has_a_trigger_and_a_near_miss(code):
    folder = FIXTURES / code
    assert folder.is_dir(), f"fixtures/{code}/ is missing"
    cases = [p for p in FILES if p.parent == folder]
    triggers = [
        p for p in cases if not p.stem.startswith("near_miss") and f" {code} " in expected_path(p).read_text(encoding="utf-8")
    ]
    near_misses = [p for p in cases if p.stem.startswith("near_miss")]
    # compact script cases (fixtures/CODE/*.cases, tests/script_cases.py) count as well
    compact = [c for c in COMPACT if c.code == code]
    assert triggers or any(not c.near_miss for c in compact), f"no fixture in fixtures/{code}/ triggers {code}"
    assert near_misses or any(c.near_miss for c in compact), f"no near_miss*.json or near-miss case in fixtures/{code}/"
    for path in near_misses:
        assert f" {code} " not in expected_path(path).read_text(encoding="utf-8"), f"{path.name} must not trigger {code}"
