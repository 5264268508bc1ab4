"""AIB400's oracle: does this script parse?

tree-sitter-bash is error-tolerant (it accepts a stray ``fi``), so it cannot say. This is a
small lexer of our own that finds what actually breaks ``sh``: an unclosed quote or
command substitution, a here-document with no terminator, and unbalanced ``if/fi``,
``do/done``, ``case/esac``, ``{ }`` and ``( )`` at command position. When a shell is on
the machine, ``sh -n`` (``bash -n`` for bash strings) confirms a finding before it is
reported: ``-n`` only reads the script, it never runs it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

_OPENERS = {"if": "fi", "case": "esac", "do": "done", "{": "}"}
_CLOSERS = {"fi": "if", "esac": "case", "done": "do", "}": "{"}
# Reserved words that may follow a compound command with no separator (`fi fi` when nested).
_AFTER_COMPOUND = {"fi", "done", "esac", "}", "then", "else", "elif", "do"}
# After these words the next word is again at command position.
_RESETS = {"then", "else", "elif", "do", "if", "while", "until", "!", "{", "time"}
# A run of characters with no meaning to the lexer: taken in one step, not one by one.
_PLAIN_RUN = re.compile(r"[^ \t\r\n;&|<>()\\'\"`$]+")


@dataclass
class SyntaxProblem:
    message: str
    offset: int  # where parsing failed, in the script


def check(text: str) -> SyntaxProblem | None:
    return _Lexer(text).run()


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.stack: list[tuple[str, int]] = []  # (opener, offset)
        self.heredocs: list[tuple[str, bool, int]] = []  # (terminator, strip tabs, offset)
        self.command_position = True
        self.in_case_patterns = False
        self.function_name_next = False  # after `function`, its name, then the body
        self.just_closed: str | None = None  # `fi`, `done`, ... when it was the last token

    def run(self) -> SyntaxProblem | None:
        try:
            self._lex(top=True)
        except _Stop as stop:
            return stop.problem
        if self.heredocs:
            word, _, offset = self.heredocs[0]
            return SyntaxProblem(f"here-document is never closed: no line '{word}' ends it", offset)
        if self.stack:
            opener, offset = self.stack[-1]
            return SyntaxProblem(f"'{opener}' is never closed: '{_OPENERS.get(opener, ')')}' is missing", offset)
        return None

    def _fail(self, message: str, offset: int) -> None:
        raise _Stop(SyntaxProblem(message, offset))

    def _lex(self, top: bool, closer: str | None = None) -> None:
        text = self.text
        n = len(text)
        while self.i < n:
            char = text[self.i]
            if char in "\n#;&|()<>":
                self.just_closed = None  # an operator may follow `fi`; only a word may not
            if char == "\n":
                self.i += 1
                self._read_heredocs()
                self.command_position = True
                continue
            if char in " \t\r":
                self.i += 1
                continue
            if char == "#":
                end = text.find("\n", self.i)
                self.i = n if end < 0 else end
                continue
            if closer is not None and char == closer:
                self.i += 1
                return
            if char in ";&|":
                if text.startswith(";;", self.i):
                    self.in_case_patterns = True
                    self.i += 2
                else:
                    self.i += 1
                self.command_position = True
                continue
            if char == "(":
                if self.in_case_patterns:
                    self.i += 1
                    continue
                start = self.i
                after = text[self.i + 1 :].lstrip(" \t")
                if after.startswith(")"):  # `name()`: a function body comes next
                    self.i = text.index(")", self.i) + 1
                    self.command_position = True
                    continue
                self.i += 1
                self.command_position = True
                self._lex(top=False, closer=")")
                if self.i > n or text[self.i - 1] != ")":
                    self._fail("'(' is never closed: ')' is missing", start)
                self.command_position = False
                continue
            if char == ")":
                if self.in_case_patterns:
                    self.in_case_patterns = False
                    self.command_position = True
                    self.i += 1
                    continue
                self._fail("unexpected ')'", self.i)
            if char in "<>":
                self._redirect()
                continue
            self._word()
        if closer is not None:
            raise _Stop(SyntaxProblem(f"'{'(' if closer == ')' else closer}' is never closed", self.i))

    def _redirect(self) -> None:
        text = self.text
        if text.startswith("<<<", self.i):
            self.i += 3
            return
        if text.startswith("<<", self.i):
            start = self.i
            self.i += 2
            strip = text.startswith("-", self.i)
            if strip:
                self.i += 1
            while self.i < len(text) and text[self.i] in " \t":
                self.i += 1
            word_start = self.i
            word = self._word(collect=True)
            if not word:
                self._fail("here-document needs a delimiter word after <<", word_start)
            self.heredocs.append((word, strip, start))
            self.command_position = False
            return
        self.i += 1
        while self.i < len(text) and text[self.i] in "<>&|":
            self.i += 1

    def _read_heredocs(self) -> None:
        text = self.text
        while self.heredocs:
            word, strip, offset = self.heredocs.pop(0)
            while True:
                if self.i >= len(text):
                    self._fail(f"here-document is never closed: no line '{word}' ends it", offset)
                end = text.find("\n", self.i)
                end = len(text) if end < 0 else end
                line = text[self.i : end]
                self.i = min(end + 1, len(text)) if end < len(text) else len(text)
                if (line.lstrip("\t") if strip else line) == word:
                    break
                if end >= len(text):
                    self._fail(f"here-document is never closed: no line '{word}' ends it", offset)

    def _word(self, collect: bool = False) -> str:
        start = self.i
        run = _PLAIN_RUN.match(self.text, start)
        if run is not None and (run.end() == len(self.text) or self.text[run.end()] in " \t\r\n;&|<>)"):
            self.i = run.end()  # the usual word: plain characters up to a separator
            word, quoted = run.group(), False
        else:
            word, quoted = self._scan_word(start)
        if collect:
            return word
        closed, self.just_closed = self.just_closed, None
        if closed is not None:
            if not quoted and word in _AFTER_COMPOUND:  # `fi fi` closing two levels at once
                self._keyword(word, start)
                return word
            if not self._io_number(word):  # `fi echo`: sh wants a `;` or a new line first
                self._fail(f"unexpected '{word}' after '{closed}': a ';' or a new line is missing before it", start)
        if self.function_name_next:
            self.function_name_next = False
            self.command_position = True
            return word
        if not quoted and self.command_position and not self.in_case_patterns:
            self._keyword(word, start)
        elif word == "in" and self.stack and self.stack[-1][0] == "case":
            self.in_case_patterns = True
        elif not quoted and word == "esac" and self.stack and self.stack[-1][0] == "case":
            self._keyword(word, start)
        return word

    def _scan_word(self, start: int) -> tuple[str, bool]:
        """A word with quotes, escapes or substitutions: its unquoted text, and whether any was quoted."""
        text = self.text
        n = len(text)
        plain: list[str] = []
        quoted = False
        while self.i < n:
            run = _PLAIN_RUN.match(text, self.i)
            if run is not None:
                plain.append(run.group())
                self.i = run.end()
                continue
            char = text[self.i]
            if char in " \t\r\n;&|<>" or (char in "()" and not quoted and self.i == start) or char == ")":
                break
            if char == "(" and self.i > start and text[self.i - 1] == "=" and plain and plain[0][:1].isalpha():
                # `name=(a b)`: a bash array. dash rejects it, but AIB404 names the cause.
                end = text.find(")", self.i)
                if end < 0:
                    self._fail("'(' is never closed: ')' is missing", self.i)
                self.i = end + 1
                continue
            if char == "(" and self.i > start and text[self.i - 1] not in "$<>=@?*+!":
                break
            if char == "\\":
                if self.i + 1 < n:
                    plain.append(text[self.i + 1])
                self.i += 2
                continue
            if char == "'":
                end = text.find("'", self.i + 1)
                if end < 0:
                    self._fail("unterminated single-quoted string: the closing ' is missing", self.i)
                plain.append(text[self.i + 1 : end])
                quoted = True
                self.i = end + 1
                continue
            if char == '"':
                plain.append(self._double_quoted())
                quoted = True
                continue
            if char == "`":
                end = self._backquote_end(self.i)
                self.i = end + 1
                continue
            if char == "$" and text.startswith("$(", self.i):
                self._dollar_paren()
                continue
            if char == "$" and text.startswith("${", self.i):
                end = self._brace_end(self.i + 2)
                self.i = end + 1
                continue
            plain.append(char)
            self.i += 1
        return "".join(plain), quoted

    def _io_number(self, word: str) -> bool:
        """The `2` of `done 2>/dev/null`."""
        return word.isdigit() and self.text[self.i : self.i + 1] in ("<", ">")

    def _keyword(self, word: str, start: int) -> None:
        if word in _OPENERS:
            self.stack.append((word, start))
            self.command_position = True
            if word == "case":
                self.command_position = False
            return
        if word in _CLOSERS:
            if not self.stack or self.stack[-1][0] != _CLOSERS[word]:
                expected = f"'{_OPENERS[self.stack[-1][0]]}'" if self.stack else "nothing"
                self._fail(f"unexpected '{word}': expected {expected}", start)
            self.stack.pop()
            self.in_case_patterns = False
            self.command_position = False
            self.just_closed = word
            return
        if word == "function":
            self.function_name_next = True
            return
        if word in ("while", "until", "for", "select"):
            self.command_position = word != "for" and word != "select"
            return
        if word in _RESETS:
            self.command_position = True
            return
        if "=" in word and word.split("=", 1)[0].isidentifier():
            return  # an assignment prefix: the command comes next
        self.command_position = False

    def _double_quoted(self) -> str:
        text = self.text
        start = self.i
        self.i += 1
        out: list[str] = []
        while self.i < len(text):
            char = text[self.i]
            if char == "\\":
                out.append(text[self.i : self.i + 2])
                self.i += 2
                continue
            if char == '"':
                self.i += 1
                return "".join(out)
            if char == "$" and text.startswith("$(", self.i):
                self._dollar_paren()
                continue
            if char == "`":
                self.i = self._backquote_end(self.i) + 1
                continue
            out.append(char)
            self.i += 1
        self._fail('unterminated double-quoted string: the closing " is missing', start)
        return ""

    def _backquote_end(self, start: int) -> int:
        i = start + 1
        while i < len(self.text):
            if self.text[i] == "\\":
                i += 2
                continue
            if self.text[i] == "`":
                return i
            i += 1
        self._fail("unterminated `...` command substitution: the closing ` is missing", start)
        return i

    def _brace_end(self, i: int) -> int:
        depth = 1
        while i < len(self.text):
            char = self.text[i]
            if char == "\\":
                i += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        self._fail("unterminated ${...}: the closing } is missing", i)
        return i

    def _dollar_paren(self) -> None:
        start = self.i
        arithmetic = self.text.startswith("$((", self.i)
        self.i += 3 if arithmetic else 2
        if arithmetic:
            depth = 2
            while self.i < len(self.text) and depth:
                char = self.text[self.i]
                depth += char == "("
                depth -= char == ")"
                self.i += 1
            if depth:
                self._fail("unterminated $(( ... )): the closing )) is missing", start)
            return
        saved = (self.command_position, self.stack, self.in_case_patterns)
        self.command_position, self.stack, self.in_case_patterns = True, [], False
        self._lex(top=False, closer=")")
        if self.stack:
            opener, offset = self.stack[-1]
            self._fail(f"'{opener}' is never closed inside $( )", offset)
        self.command_position, self.stack, self.in_case_patterns = saved


class _Stop(Exception):
    def __init__(self, problem: SyntaxProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def shell_confirms_error(text: str, dialect: str) -> bool | None:
    """Ask a real shell with ``-n`` (parse only). None when no suitable shell is here."""
    candidates = ("bash",) if dialect == "bash" else ("dash", "sh")
    for name in candidates:
        path = shutil.which(name)
        if path is None:
            continue
        try:
            result = subprocess.run([path, "-n"], input=text.encode("utf-8", "replace"), capture_output=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            return None
        return result.returncode != 0
    return None
