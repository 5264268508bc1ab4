"""Every fixture's output equals its snapshot, and every rule has a trigger and a near miss."""

from __future__ import annotations

import pytest

from aiblint.rules import load_all
from tests.snapshot_tool import FIXTURES, ROOT, expected_path, fixture_files, render

FILES = fixture_files()


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
    assert triggers, f"no fixture in fixtures/{code}/ triggers {code}"
    assert near_misses, f"no near_miss*.json in fixtures/{code}/"
    for path in near_misses:
        assert f" {code} " not in expected_path(path).read_text(encoding="utf-8"), f"{path.name} must not trigger {code}"
