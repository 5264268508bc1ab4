"""The compact script-rule cases of fixtures/**/*.cases (format: tests/script_cases.py)."""

from __future__ import annotations

import pytest

from tests.script_cases import Case, case_files, parse_cases, run_case, script_position

CASES = [case for path in case_files() for case in parse_cases(path)]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_script_case(case: Case):
    assert run_case(case) == case.expected, f"{case.id}: {case.title}"
    if case.near_miss:
        assert case.code not in {code for code, _, _ in case.expected}, f"{case.id}: a near miss must not expect {case.code}"
    else:
        assert case.code in {code for code, _, _ in case.expected}, f"{case.id}: a case of {case.code} expects it"


def test_columns_count_characters_before_json_escaping():
    # "echo \"a\" && sleep 3600": the sleep is at column 14 of the script line
    line = '      "echo \\"a\\" && sleep 3600",'
    assert script_position(line, line.index("sleep") + 1) == len('echo "a" && ') + 1
