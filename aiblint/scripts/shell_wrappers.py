"""Wrapper commands the Shell model looks through (``sudo``, ``env``, ``timeout``, ``xargs``, ...).

For each, which of its options take a value, so the walk can find the command it runs.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from aiblint.scripts.options import value_options
from aiblint.scripts.shell_model import Word

# -- wrappers -------------------------------------------------------------------------

# Which options of each wrapper take a value: the table in aiblint/scripts/options.py.
_SIMPLE_WRAPPERS = frozenset(["nohup", "time", "exec", "eatmydata", "unbuffer", "stdbuf", "doas", "chronic"])
SHELLS = frozenset(["sh", "bash", "dash", "zsh", "ksh"])
# Every command _emit looks through to reach the command it runs.
LOOKED_THROUGH = _SIMPLE_WRAPPERS | {
    "sudo",
    "env",
    "command",
    "timeout",
    "nice",
    "ionice",
    "xargs",
    "chroot",
    "flock",
    "runuser",
}


class WordsFrom(Sequence[Word]):
    """words[start:] without the copy: the wrapper look-through walks `sudo sudo sudo ...`
    one word at a time, and a copied tail per step is quadratic on 100,000 of them."""

    __slots__ = ("_start", "_words")

    def __init__(self, words: list[Word], start: int) -> None:
        self._words = words
        self._start = start

    def __len__(self) -> int:
        return max(0, len(self._words) - self._start)

    def __getitem__(self, index: int) -> Word:  # type: ignore[override]
        if not isinstance(index, int):
            raise TypeError("WordsFrom takes integer indexes only")
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._words[self._start + index]


def basename(text: str) -> str:
    return posixpath.basename(text) if "/" in text else text


def value_after(args: list[Word], names: tuple[str, ...]) -> Word | None:
    for i, word in enumerate(args):
        if word.text in names and i + 1 < len(args):
            return args[i + 1]
    return None


def sudo_prefix(args: Sequence[Word]) -> tuple[int, bool, dict[str, str]]:
    """How many words are sudo's own options, whether it keeps the environment, and the
    VAR=value assignments it passes."""
    i = 0
    keep = False
    assigned: dict[str, str] = {}
    while i < len(args):
        text = args[i].text
        if text == "--":
            i += 1
            break
        if text in ("-E", "--preserve-env") or text.startswith("--preserve-env="):
            keep = True
            i += 1
            continue
        if text in value_options("sudo"):
            i += 2
            continue
        if text.startswith("--") or (text.startswith("-") and len(text) > 1):
            if text.startswith("-") and not text.startswith("--") and "E" in text[1:]:
                keep = True
            i += 1
            continue
        if "=" in text and text.split("=", 1)[0].isidentifier():
            key, value = text.split("=", 1)
            assigned[key] = value
            i += 1
            continue
        break
    return i, keep, assigned


def env_prefix(args: Sequence[Word]) -> tuple[int, dict[str, str], bool]:
    i = 0
    assigned: dict[str, str] = {}
    clear = False
    while i < len(args):
        text = args[i].text
        if text in ("-i", "--ignore-environment", "-"):
            clear = True
            i += 1
        elif text in value_options("env"):
            i += 2
        elif text.startswith("-") and len(text) > 1 and "=" not in text:
            i += 1
        elif "=" in text and text.split("=", 1)[0].isidentifier():
            key, value = text.split("=", 1)
            assigned[key] = value
            i += 1
        else:
            break
    return i, assigned, clear


def wrapper_skip(name: str, rest: Sequence[Word]) -> int | None:
    """Words to skip after a wrapper command to reach the command it runs (None: not a wrapper)."""
    if name in _SIMPLE_WRAPPERS:
        i = 0
        while i < len(rest) and rest[i].text.startswith("-") and name in ("stdbuf", "time", "exec"):
            i += 1
        return i if i < len(rest) else None
    if name == "command":
        if rest and rest[0].text in ("-v", "-V"):
            return None  # `command -v x` asks where x is; it runs nothing
        i = 1 if rest and rest[0].text == "-p" else 0
        return i if i < len(rest) else None
    if name in ("timeout", "nice", "ionice", "xargs", "chroot", "flock", "runuser"):
        value_opts = value_options(name)
        i = 0
        while i < len(rest):
            text = rest[i].text
            if text == "--":
                i += 1
                break
            if text in ("-c", "--command") and name == "runuser":
                return None  # handled as a command string
            if text in value_opts:
                i += 2
                continue
            if text.startswith("-") and len(text) > 1:
                i += 1
                continue
            break
        if name in ("timeout", "chroot", "flock"):
            i += 1  # the duration / the new root / the lock file
        return i if i < len(rest) else None
    return None
