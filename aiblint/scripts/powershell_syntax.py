"""AIB500's oracle: unbalanced braces, parentheses and brackets, unterminated strings and
here-strings. tree-sitter-pwsh marks some valid native-command arguments as errors, so its
ERROR nodes are never reported on their own; this small lexer decides."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAIRS = {"(": ")", "{": "}", "[": "]"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
# Runs of characters that mean nothing to this check, skipped in one step.
_PLAIN_RUN = re.compile(r"[^`#<@'\"(){}\[\]]+")
_PLAIN_IN_DOUBLE_QUOTES = re.compile(r"[^`$)\"]+")


@dataclass
class PsSyntaxProblem:
    message: str
    offset: int


def check(text: str) -> PsSyntaxProblem | None:
    stack: list[tuple[str, int]] = []
    i = 0
    n = len(text)
    crossing: int | None = None  # the first string that ran onto another line: the likely culprit
    while i < n:
        run = _PLAIN_RUN.match(text, i)
        if run is not None:
            i = run.end()
            continue
        char = text[i]
        if char == "`":  # escape: the next character is literal
            i += 2
            continue
        if char == "#" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "/:._-")):
            # a comment starts a token: `C#` and `https://x/#top` are words
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("<#", i):
            end = text.find("#>", i + 2)
            if end < 0:
                return PsSyntaxProblem("block comment <# is never closed with #>", i)
            i = end + 2
            continue
        if text.startswith(("@'", '@"'), i) and text[i + 2 : i + 3] in ("\n", "\r"):
            quote = text[i + 1]
            terminator = "\n" + quote + "@"
            end = text.find(terminator, i + 2)
            if end < 0:
                return PsSyntaxProblem(f"here-string @{quote} is never closed: {quote}@ must start a line", i)
            i = end + len(terminator)
            continue
        if char == "'":
            j = i + 1
            while True:
                j = text.find("'", j)
                if j < 0:
                    return _unterminated("'", i, crossing)
                if text.startswith("''", j):
                    j += 2
                    continue
                break
            if crossing is None and "\n" in text[i:j]:
                crossing = i
            i = j + 1
            continue
        if char == '"':
            j = i + 1
            depth = 0
            while j < n:
                run = _PLAIN_IN_DOUBLE_QUOTES.match(text, j)
                if run is not None:
                    j = run.end()
                    continue
                c = text[j]
                if c == "`":
                    j += 2
                    continue
                if text.startswith("$(", j):
                    depth += 1
                    j += 2
                    continue
                if c == ")" and depth:
                    depth -= 1
                elif c == '"' and not depth:
                    if text.startswith('""', j):
                        j += 2
                        continue
                    break
                j += 1
            if j >= n:
                return _unterminated('"', i, crossing)
            if crossing is None and "\n" in text[i:j]:
                crossing = i
            i = j + 1
            continue
        if char in _PAIRS:
            stack.append((char, i))
        elif char in _CLOSERS:
            if not stack or stack[-1][0] != _CLOSERS[char]:
                expected = f"'{_PAIRS[stack[-1][0]]}'" if stack else "nothing to close"
                return PsSyntaxProblem(f"unexpected '{char}': expected {expected}", i)
            stack.pop()
        i += 1
    if stack:
        opener, offset = stack[-1]
        return PsSyntaxProblem(f"'{opener}' is never closed: '{_PAIRS[opener]}' is missing", offset)
    return None


def _unterminated(quote: str, start: int, crossing: int | None) -> PsSyntaxProblem:
    if crossing is not None and crossing < start:
        return PsSyntaxProblem(
            f"unbalanced quotes: the string opened here runs on past the end of its line, and a later {quote} is never closed",
            crossing,
        )
    return PsSyntaxProblem(f"unterminated string: the closing {quote} is missing", start)
