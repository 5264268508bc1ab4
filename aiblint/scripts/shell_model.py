"""The Shell command model's types and queries: what Shell rule authors read.

``aiblint.scripts.shell.analyse`` builds a ShellModel from a script (the tree walk lives
there, the wrapper look-through in ``shell_wrappers``). Every command is the *effective*
command, after wrappers (``sudo``, ``env``, ``VAR=value``, ``nohup``, ...); all offsets are
character offsets in the script text.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from aiblint.scripts.spans import RawComment as ShellComment

# -- words and commands ---------------------------------------------------------------


@dataclass(slots=True)
class Word:
    raw: str  # as written
    start: int
    end: int
    value: str | None  # after quote removal when it has no expansion, else None
    expansion: str | None = None  # the variable of an unquoted $VAR / ${VAR} word
    local: int = -1  # offset in the text region it was parsed from (for sh -c strings)

    @property
    def text(self) -> str:
        """The value where static, else the raw text (good enough for flags and paths)."""
        return self.value if self.value is not None else self.raw


@dataclass(slots=True)
class Redirect:
    operator: str  # '>', '>>', '<', '<<', '<<<', '&>', ...
    target: Word | None
    body: str | None = None  # a heredoc's text


@dataclass(slots=True)
class ShellCommand:
    name: str  # effective command, basename (`/usr/bin/apt-get` -> `apt-get`)
    name_word: Word
    args: list[Word]
    end: int  # end of the whole command as written
    env: dict[str, str]  # exported variables that reach the command (known values)
    sudo: bool
    via: tuple[str, ...]  # wrappers looked through, outermost first
    stdin_fed: bool  # input comes from a pipe, a redirect or a heredoc
    piped_from: ShellCommand | None
    redirects: list[Redirect]
    dialect: str  # 'sh' (the inline script itself) or 'bash' (inside bash -c)
    cwd: str | None
    index: int = 0  # order in the script
    # Whose exit status the script tests, so a failure neither stops `sh -e` nor goes unseen:
    # "loop" (a while/until condition), "if" (an if/elif condition), "list" (left of && or ||),
    # "not" (after !); "" for a plain command.
    tested: str = ""
    # Every rule asks for these, most for every command: computed once, on first use.
    _words: list[str] | None = field(default=None, repr=False, compare=False)
    _options: list[str] | None = field(default=None, repr=False, compare=False)
    _positionals: list[Word] | None = field(default=None, repr=False, compare=False)

    @property
    def start(self) -> int:
        return self.name_word.start

    @property
    def words(self) -> list[str]:
        if self._words is None:
            self._words = [w.text for w in self.args]
        return self._words

    def option_words(self) -> list[str]:
        """Arguments that look like options (stops at a bare ``--``)."""
        if self._options is not None:
            return self._options
        found = []
        for text in self.words:
            if text == "--":
                break
            if text.startswith("-") and len(text) > 1:
                found.append(text)
        self._options = found
        return found

    def has_option(self, *names: str) -> bool:
        """True if any of ``names`` is given: ``-y`` also matches ``-qy``, and
        ``--opt`` also matches ``--opt=value``."""
        options = self.option_words()
        for name in names:
            for option in options:
                if option == name or (name.startswith("--") and option.startswith(name + "=")):
                    return True
                if len(name) == 2 and not option.startswith("--") and name[1] in option[1:] and option[1:].isalpha():
                    return True
        return False

    def count_short(self, letter: str) -> int:
        return sum(o[1:].count(letter) for o in self.option_words() if not o.startswith("--") and o[1:].isalpha())

    def positionals(self, takes_value: frozenset[str] = frozenset()) -> list[Word]:
        """Non-option arguments, skipping the values of options listed in ``takes_value``."""
        if not takes_value and self._positionals is not None:
            return self._positionals
        result: list[Word] = []
        skip = False
        after_dashdash = False
        for word in self.args:
            text = word.text
            if skip:
                skip = False
                continue
            if not after_dashdash and text == "--":
                after_dashdash = True
                continue
            if not after_dashdash and text.startswith("-") and len(text) > 1:
                if text in takes_value:
                    skip = True
                continue
            result.append(word)
        if not takes_value:
            self._positionals = result
        return result

    def option_value(self, *names: str) -> str | None:
        """The value of ``-o VALUE`` / ``--opt=VALUE`` / ``--opt VALUE``."""
        args = self.args
        for i, word in enumerate(args):
            text = word.text
            for name in names:
                if text == name and i + 1 < len(args):
                    return args[i + 1].text
                if name.startswith("--") and text.startswith(name + "="):
                    return text[len(name) + 1 :]
        return None

    def all_option_values(self, name: str) -> list[str]:
        values = []
        for i, word in enumerate(self.args):
            if word.text == name and i + 1 < len(self.args):
                values.append(self.args[i + 1].text)
            elif word.text.startswith(name) and len(word.text) > len(name) and not name.startswith("--"):
                values.append(word.text[len(name) :])
            elif name.startswith("--") and word.text.startswith(name + "="):
                values.append(word.text[len(name) + 1 :])
        return values

    @property
    def subcommand(self) -> str | None:
        positional = self.positionals()
        return positional[0].text if positional else None

    def output_files(self) -> list[tuple[str, str]]:
        """(operator, target) of every output redirect."""
        return [(r.operator, r.target.text) for r in self.redirects if r.target is not None and ">" in r.operator]

    def heredoc(self) -> str | None:
        for redirect in self.redirects:
            if redirect.body is not None:
                return redirect.body
        return None


@dataclass(slots=True)
class Construct:
    """A piece of bash-only syntax found in a ``/bin/sh`` script (AIB404)."""

    what: str
    start: int
    end: int


@dataclass
class ShellModel:
    text: str
    commands: list[ShellCommand] = field(default_factory=list)
    comments: list[ShellComment] = field(default_factory=list)
    bashisms: list[Construct] = field(default_factory=list)
    assignments: list[tuple[str, str | None, int, int]] = field(default_factory=list)  # name, value, span
    _by_name: dict[str, list[ShellCommand]] | None = field(default=None, repr=False)
    # What is worked out from the text alone (script facts, the syntax verdict): kept with the
    # model, so a model shared by identical scripts (aiblint/scripts/models.py) brings it along
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def named(self, names: Collection[str]) -> list[ShellCommand]:
        """The commands whose effective name is one of ``names``, in script order.

        Most rules judge a handful of commands: asking for those by name keeps a rule's cost
        to its own commands instead of every command of a long script.
        """
        if self._by_name is None:
            self._by_name = {}
            for command in self.commands:
                self._by_name.setdefault(command.name, []).append(command)
        found = [command for name in names for command in self._by_name.get(name, ())]
        found.sort(key=lambda command: command.index)
        return found
