"""Every regular expression of the package stays fast on hostile text (issue 14, item 8).

The patterns are collected, not listed (tests/regex_audit.py says from where). Each is run as
the code runs it (search, or the match/fullmatch a literal is passed to) on hostile text of
growing size up to 100,000 characters: runs of one character, and for each unbounded
repetition in the pattern the text that reaches it followed by a long run it accepts, then a
failing end. Each pattern and attack is allowed SECONDS at full size and its share of it at
the smaller sizes, so a backtracking pattern fails within a second instead of hanging CI.
"""

from __future__ import annotations

import pytest

from tests import regex_audit as audit

# Per pattern and attack at 100,000 characters: a linear pattern needs a few milliseconds; a
# quadratic one needs minutes. The bound leaves room for a loaded CI machine.
SECONDS = 1.0
# Patterns the code only ever applies to a bounded prefix: pattern -> the bound in characters.
BOUNDED_INPUT = {
    r"(?:^|[^\\])[aic]\\?\s*([^\n]*)$": 2000,  # rules/shell_system.py: the sed expression[:2000]
    r"^(.*?)(\d+)([a-z]*)(_v\d+)?$": 64,  # rules/values.py: vmSize parse, longer values never reach it
}

COLLECTED = audit.module_patterns() + audit.literal_patterns() + audit.schema_patterns()
CASES = audit.dedupe(COLLECTED)


def _audit(pattern, function: str, where: str) -> list[str]:
    limit = BOUNDED_INPUT.get(pattern.pattern)
    call = getattr(pattern, function)
    slow = []
    for name, make in audit.attacks(pattern):
        verdict = audit.slowest_stage(call, lambda n, make=make: audit.as_subject(pattern, make(n)), SECONDS, limit)
        if verdict:
            slow.append(f"{name}: {verdict}")
    return slow


def test_patterns_were_found():
    # The collection itself must work: every module that uses `re` gives at least one case,
    # and patterns named here are among them.
    sources = " ".join(str(p.pattern) for _, p, _ in CASES)
    assert len(CASES) > 100
    assert "APT::Get::Assume-Yes" in sources and "aiblint:" in sources and "Port" in sources
    covered = {audit.module_of(where) for where, _, _ in COLLECTED}
    assert not audit.modules_using_re() - covered - NO_PATTERN_OF_THEIR_OWN, "modules whose patterns were not collected"
    assert any(w.startswith("schema pattern") for w, _, _ in CASES)
    assert any("signatures.load()" in w for w, _, _ in CASES)  # the failure signatures of diagnose
    assert all(audit.leads(p) is not None for _, p, _ in CASES)


# Modules that only call re.<function> on a pattern made elsewhere (checked where it is made).
NO_PATTERN_OF_THEIR_OWN = {"schema_fast.py"}  # applies the schemas' patterns: see schema_patterns


def test_attacks_reach_the_repetitions():
    # The walk builds the text that leads the engine to each repetition.
    import re

    leads = audit.leads(re.compile(r"^//\s*aiblint:\s*disable=\s*([A-Z0-9, ]+?)\s*$"))
    assert ("//", " ") in leads and ("//aiblint:disable=", " ") in leads
    assert ("setup", " ") in audit.leads(re.compile(r"(setup|install)[^\\/]*\.exe$", re.I))


@pytest.mark.parametrize(("where", "pattern", "function"), CASES, ids=[c[0][:90] for c in CASES])
def test_pattern_is_linear_on_hostile_text(where, pattern, function):
    slow = _audit(pattern, function, where)
    assert not slow, f"{where}: " + "; ".join(slow)


def test_patterns_compiled_at_run_time_are_linear():
    # Patterns built while linting (e.g. from an f-string) are not visible to the static
    # collection: record those the CLI compiles on the repository's fixtures and audit them.
    known = {(p.pattern, p.flags) for _, p, _ in CASES}
    found = audit.run_time_patterns()
    assert found, "the recording saw no pattern: the hook into re no longer works"
    slow = [f"{w}: {s}" for w, p, method in found if (p.pattern, p.flags) not in known for s in _audit(p, method, w)]
    assert not slow, "\n".join(slow)


def test_fixed_patterns_keep_their_meaning():
    from aiblint.rules.shell import _CONFIG_FACTS
    from aiblint.rules.shell_system import (
        _NFT_ACCEPT,
        _NFT_DROP,
        _SSH_DIRECTIVE,
        _nft_accepts_established,
        _nft_input_policy_drop,
        _nft_ssh_verdict,
    )
    from aiblint.scripts.facts import is_installer_name
    from aiblint.suppress import _DIRECTIVE

    assert _CONFIG_FACTS["apt-assumes-yes"].search('APT::Get::Assume-Yes "true";')
    assert _CONFIG_FACTS["apt-assumes-yes"].search("APT::Get::Assume-Yes  1")
    assert not _CONFIG_FACTS["apt-assumes-yes"].search('APT::Get::Assume-Yes "false";')
    assert _CONFIG_FACTS["yum-assumes-yes"].search("[main]\n  assumeyes = 1\n")
    assert [m.group(1) for m in _SSH_DIRECTIVE.finditer("# x\n  Port 2222\nAllowUsers bob\n")] == ["Port 2222", "AllowUsers bob"]
    assert is_installer_name(r"C:\temp\MySetup-1.2.exe") and is_installer_name("./install.EXE")
    assert not is_installer_name(r"C:\install\tool.exe") and not is_installer_name("setup.msi")
    assert _nft_ssh_verdict("add rule inet filter input tcp dport 22 accept", _NFT_ACCEPT)
    assert _nft_ssh_verdict("add rule inet filter input tcp dport { 80, 22 } drop", _NFT_DROP)
    assert not _nft_ssh_verdict("add rule inet filter input tcp dport { 80, 443 } drop", _NFT_DROP)
    assert _nft_accepts_established("add rule inet filter input ct state established,related accept")
    assert not _nft_accepts_established("ct state established ; accept")
    assert _nft_input_policy_drop("add chain inet filter input { type filter hook input priority 0 ; policy drop ; }")
    match = _DIRECTIVE.search("# aiblint: disable=AIB401, AIB403  -- vendor script")
    assert match and match.group(2).strip() == "AIB401, AIB403"
    blank = _DIRECTIVE.search("# aiblint: disable=   ")
    assert blank is not None and not blank.group(2).strip()  # parse_directives drops a directive naming no code


def test_rewritten_directive_and_token_patterns_keep_their_meaning():
    from aiblint import arm
    from aiblint.frontends.suppress import _DIRECTIVE_LINES, _directive_codes
    from aiblint.suppress import _JSONC_DIRECTIVE, _codes, _directive_tail

    def jsonc(text):
        match = _JSONC_DIRECTIVE.match(text)
        return (match.group(1), _codes(match.group(2))) if match and _directive_tail(match.group(3)) else None

    assert jsonc("// aiblint: disable=AIB401, AIB403  -- vendor script") == ("disable", ("AIB401", "AIB403"))
    assert jsonc("/* aiblint: disable-line = AIB401 */") == ("disable-line", ("AIB401",))
    assert jsonc("// aiblint: disable-file=AIB4 \n") == ("disable-file", ("AIB4",))
    assert jsonc("// aiblint: disable=AIB401 (why)") is None
    assert jsonc("// aiblint: disable=AIB401 */ x") is None

    bicep = _DIRECTIVE_LINES["bicep"]
    found = [
        (m.group(2), _directive_codes(m.group(3)))
        for m in bicep.finditer("  // aiblint: disable-next-line=AIB401, AIB402 -- why\n")
    ]
    assert found == [("disable-next-line", "AIB401, AIB402")]
    assert _directive_codes(" AIB401 - x") is None and _directive_codes(" AIB401\tAIB402") is None
    assert _directive_codes("  ") == "" and _directive_codes("") is None  # `=  ` is a directive naming no code
    terraform = _DIRECTIVE_LINES["terraform"]
    assert [m.group(1) for m in terraform.finditer("# aiblint: disable-file=AIB401\n")] == ["# aiblint: disable-file=AIB401"]

    # ARM tokens: blanks anywhere are skipped, columns unchanged
    assert [(t[0], t[2]) for t in arm._tokens(" concat( 'a' ,\t-1 ) ")] == [
        ("i", 1), ("(", 7), ("s", 9), (",", 13), ("n", 15), (")", 18), ("$", 20)
    ]  # fmt: skip
