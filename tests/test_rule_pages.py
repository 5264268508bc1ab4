"""Every rule page's examples run: a Bad example triggers its rule, a Good one does not
(tests/rule_examples.py says how a fragment becomes a template)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_text
from aiblint.rules import load_all
from tests.rule_examples import all_examples, expand

EXAMPLES = all_examples()


def _codes(text: str, code: str) -> set[str]:
    config = Config(extend_select=(code,))  # opt-in rules run when their page is tested
    result = lint_text(text, f"{code}.json", config, None, LintOptions())
    return {d.code for d in result.diagnostics}


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.code}-{e.kind}-{i}" for i, e in enumerate(EXAMPLES)])
def test_rule_page_example(example):
    if example.illustration:
        pytest.skip("marked <!-- example: illustration -->")
    try:
        text = expand(example)
    except ValueError as exc:
        pytest.fail(
            f"rules/{example.code}.md {example.kind} example cannot run ({exc}); complete it or mark it as an illustration"
        )
    codes = _codes(text, example.code)
    if example.kind == "Bad":
        assert example.code in codes, f"rules/{example.code}.md: the Bad example does not trigger {example.code}"
    else:
        assert example.code not in codes, f"rules/{example.code}.md: the Good example triggers {example.code}"


def test_every_page_has_a_bad_and_a_good_example():
    kinds: dict[str, set[str]] = {}
    for example in EXAMPLES:
        kinds.setdefault(example.code, set()).add(example.kind)
    assert {code for code, found in kinds.items() if found != {"Bad", "Good"}} == set()


# -- titles live in the registry (the @rule declarations); the pages and the README follow --

ROOT = Path(__file__).resolve().parent.parent


def _readme_rows() -> dict[str, tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(r"^\| (AIB\d{3}) \| (\w+) \| (.*?) \|$", text, re.M)}


def test_the_readme_rules_table_is_the_registry():
    rules = load_all()
    rows = _readme_rows()
    assert sorted(rows) == sorted(rules), "the README's rules table lists exactly the registered rules"
    for code, info in rules.items():
        title = info.title + ("  (opt-in)" if not info.default_enabled else "")
        assert rows[code] == (info.severity.name.lower(), title), f"README row of {code}"


def test_every_page_title_is_the_registered_title():
    for code, info in load_all().items():
        first = (ROOT / "rules" / f"{code}.md").read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# {code}: {info.title}"
