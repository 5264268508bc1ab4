"""AIB400's lexer against dash, the shell that runs inline scripts on Debian and Ubuntu.

The verdicts below are dash's (`dash -n -c TEXT`); where dash is on the machine the test
asks it too, so a wrong row in this table cannot hide.
"""

from __future__ import annotations

import random
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
    # missing separators and empty parts: the typos a reviewer misses
    ("if [ -f x ] then echo; fi", True),
    ("for x in a b do echo $x; done", True),
    ("for x do echo $x; done", False),
    ("while true do echo; done", True),
    ("if [ -f x ]; then echo; else; fi", True),
    ("if [ -f x ]; then; echo; fi", True),
    ("if true; then fi", True),
    ("for x; do done", True),
    ("{ }", True),
    ("( )", True),
    ("if [ -f x ]; echo; fi", True),
    ("then echo", True),
    ("do echo", True),
    # operators with no command before or after them
    ("echo a &&", True),
    ("echo a |", True),
    ("echo a &&\n  echo b", False),
    ("echo a; ;", True),
    ("a & ;", True),
    ("&& echo", True),
    ("a;;", True),
    ("case x in a) ;; esac", False),
    ("case x in a) ; esac", True),
    ("!", True),
    # what follows a compound command or a command's name
    ("(cd /tmp) then", True),
    ("if (true) then echo; fi", False),
    ("(a) echo", True),
    ("echo x f() { y; }", True),
    ("f() { y; }", False),
    ("echo (a)", True),
    ("x=1 fi", False),
    ("x=1 if true; then echo; fi", True),
    ('"fi" x', False),
    ("(case x in a) echo;; esac)", False),
    # forms from real scripts (found by tools/lexer_vs_shell.py over a machine's /usr and /etc)
    ("printf x | \\\n  while read a; do echo $a; done", False),
    ("if ! grep -q a f && \\\n   { [ -d /x ] || [ -d /y ]; }; then echo; fi", False),
    ("false || \\\n{\n  echo b\n}", False),
    ("(cd /a && find .) | \\\n  (cd /b && xargs echo)", False),
    ('case "$1"\nin a) echo;; esac', False),
    ("echo a\\\nb", False),
]


def _is_error(text: str) -> bool:
    """What the lexer calls a syntax error that sh would call one too."""
    problem = check(text)
    return problem is not None and not problem.sh_accepts


@pytest.mark.parametrize(("text", "dash_error"), CASES)
def test_the_lexer_agrees_with_dash(text, dash_error):
    assert _is_error(text) == dash_error
    dash = shutil.which("dash")
    if dash is not None:
        verdict = subprocess.run([dash, "-n", "-c", text], capture_output=True, timeout=5)
        assert (verdict.returncode != 0) == dash_error, "the table disagrees with dash"


@pytest.mark.parametrize(
    "text",
    [
        "cat <(ls) /tmp/x",
        "diff <(sort a) <(sort b) && echo same",
        "function f { y; }",
        'if [[ "$x" =~ ^(a|b)$ ]]; then echo y; fi',
        "[[ ( -f a ) && ( -f b ) ]] || echo no",
        "for ((i = 0; i < 3; i++)); do echo $i; done",
        "for ((i = 0; i < 3; i++)) do echo $i; done",
        "select x in a b; do echo $x; done",
        'COMPREPLY=($(compgen -W "a b" -- "$cur"))',
        "for ((T = 0; T < $(($3 / 4)); T++)); do sleep 1; done",
        'arr=(\n  "a b"\n  $(ls)  # a comment\n)\necho "${arr[0]}"',
    ],
)
def test_bash_only_syntax_is_left_to_aib404(text):
    # dash rejects these, but the root cause is bash syntax under /bin/sh: one code, AIB404.
    assert check(text) is None


def test_the_error_points_at_the_word_after_the_closer():
    problem = check("if a; then b; fi echo")
    assert problem is not None and problem.offset == len("if a; then b; fi ")


def _random_script(rng: random.Random, depth: int = 0) -> str:
    simple = [
        "echo hi",
        "x=1",
        "a && b",
        "a || b",
        "cat f | grep a",
        "sleep 1 &",
        "v=$(ls | wc -l)",
        "! grep -q a f",
        "echo 'q;q'",
    ]
    if depth > 2 or rng.random() < 0.45:
        return rng.choice(simple)

    def body() -> str:
        return rng.choice(["\n", "; "]).join(_random_script(rng, depth + 1) for _ in range(rng.randint(1, 3)))

    sep = rng.choice(["; ", "\n"])
    return rng.choice(
        [
            f"if {body()}{sep}then {body()}{sep}else {body()}{sep}fi",
            f"for i in a b{sep}do {body()}{sep}done",
            f"while {body()}{sep}do {body()}{sep}done",
            f'case "$x" in\n  a|b) {body()};;\n  *) {body()};;\nesac',
            f"{{ {body()}{sep}}}",
            f"({body()})",
            f"f() {{\n{body()}\n}}",
        ]
    )


_MUTATIONS = [
    lambda t: t,
    lambda t: t.replace(";", "", 1),
    lambda t: t.replace("\n", " ", 1),
    lambda t: t + " &&",
    lambda t: t.replace("fi", "", 1),
    lambda t: t.replace("then", "then;", 1),
    lambda t: t.replace("done", "done x", 1),
    lambda t: t.replace("do ", "", 1),
]


@pytest.mark.skipif(shutil.which("dash") is None, reason="dash is not on this machine")
def test_random_scripts_and_their_typos_agree_with_dash():
    dash = shutil.which("dash")
    assert dash is not None
    rng = random.Random(20261124)
    disagreements = []
    for _ in range(300):
        text = rng.choice(_MUTATIONS)("\n".join(_random_script(rng) for _ in range(rng.randint(1, 3))))
        dash_error = subprocess.run([dash, "-n", "-c", text], capture_output=True, timeout=5).returncode != 0
        if _is_error(text) != dash_error:
            disagreements.append((text, dash_error))
    assert disagreements == []


@pytest.mark.parametrize("text", ["cat <<EOF\nabc", "cat <<EOF", "cat <<EOF\nabc\necho after"])
def test_a_here_document_open_at_the_end_is_reported_though_sh_accepts_it(text):
    # dash reads it to the end of the script and bash only warns: every later line is text.
    problem = check(text)
    assert problem is not None and problem.sh_accepts and problem.offset == 4
    if shutil.which("dash"):
        assert subprocess.run(["dash", "-n", "-c", text], capture_output=True, timeout=5).returncode == 0


def test_an_indented_terminator_is_named():
    problem = check("cat <<EOF > /etc/app.conf\nkey=value\n  EOF\necho next")
    assert problem is not None and "'  EOF' does not count" in problem.message
