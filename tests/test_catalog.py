"""Every registered rule has a page in rules/ with the required sections, and vice versa."""

from __future__ import annotations

import pytest

from aiblint.catalog import REQUIRED_SECTIONS, page, page_codes
from aiblint.rules import load_all

RULES = sorted(load_all())


@pytest.mark.parametrize("code", RULES)
def test_rule_has_a_complete_page(code):
    text = page(code)
    assert text is not None, f"rules/{code}.md is missing"
    assert text.startswith(f"# {code}: "), "the page starts with '# CODE: title'"
    for heading in REQUIRED_SECTIONS:
        assert heading in text, f"rules/{code}.md lacks a '{heading}' section"


def test_every_page_belongs_to_a_rule():
    assert set(page_codes()) - set(RULES) == set()


def test_a_known_failure_outside_the_guide_is_not_listed_as_a_guide_section():
    from aiblint.catalog import prevented_failures

    listed = dict(prevented_failures("AIB026"))
    assert listed["sku-not-available"].endswith("(known failure, not in the guide)")
