"""AIB400's lexer against dash, the shell that runs inline scripts on Debian and Ubuntu.

The verdicts below are dash's (`dash -n -c TEXT`); where dash is on the machine the test
asks it too, so a wrong row in this table cannot hide.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from aiblint.scripts.shell_syntax import check

# (script, dash reports a syntax error)
CASES = [
    ("if true; then echo; fi fi", True),
    ("if a; then if b; then c; fi fi", False),
    ("if a; then echo; fi echo", True),
    ("while a; do b; done done", True),
    ("{ echo; } }", True),
    ("{ if a; then b; fi }", False),
    ("for x in 1; do echo; done 2>/dev/null", False),
    ("for x in 1; do echo; done > f", False),
    ("if a; then b; fi && c", False),
    ("if a; then b; fi # c", False),
    ("(if a; then b; fi)", False),
    ("case x in a) if b; then c; fi;; esac", False),
    ("while if a; then b; fi do c; done", False),
    ("if a; then if b; then c; fi else d; fi", False),
    ("x=$(if a; then b; fi)", False),
    ("f() { if a; then b; fi }", False),
    ('if a; then b; fi "x"', True),
    ("for i in 1 2; do :; done | cat", False),
    ("case $x in\n  a) echo ;;\nesac 2>&1", False),
    ("if a; then b; fi 3", True),
    ("cat <<EOF\nfi fi\nEOF", False),
    ("echo 'abc", True),
    ("if true; then echo", True),
    ("fi", True),
    ("echo fi done esac", False),
    ("echo a }", False),
]


@pytest.mark.parametrize(("text", "dash_error"), CASES)
def test_the_lexer_agrees_with_dash(text, dash_error):
    assert (check(text) is not None) == dash_error
    dash = shutil.which("dash")
    if dash is not None:
        verdict = subprocess.run([dash, "-n", "-c", text], capture_output=True, timeout=5)
        assert (verdict.returncode != 0) == dash_error, "the table disagrees with dash"


def test_the_error_points_at_the_word_after_the_closer():
    problem = check("if a; then b; fi echo")
    assert problem is not None and problem.offset == len("if a; then b; fi ")
