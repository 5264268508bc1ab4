"""The one table of options that take a value (aiblint/scripts/options.py)."""

from __future__ import annotations

from aiblint.scripts.options import VALUE_OPTIONS, value_options
from aiblint.scripts.shell import analyse


def test_short_letters_and_long_names_expand():
    assert {"-u", "--user", "-C", "--chdir"} <= value_options("sudo")
    assert value_options("no-such-command") == frozenset()
    for short, long in VALUE_OPTIONS.values():
        assert short.isalpha() or short == ""
        assert all(name[0].isalpha() and " " not in name for name in long.split())


def test_the_model_reads_past_a_wrappers_valued_options():
    model = analyse("sudo -u admin --chdir /tmp timeout -s KILL 60 apt-get -o Dpkg::Use-Pty=0 install nginx")
    (command,) = model.commands
    assert command.name == "apt-get"
    assert [w.text for w in command.positionals(value_options("apt-get"))] == ["install", "nginx"]
