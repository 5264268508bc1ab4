"""AIB400's oracle: does this script parse?

tree-sitter-bash is error-tolerant (it accepts a stray ``fi``), so it cannot say. This is a
small lexer of our own that follows the shell grammar's structure, not its every rule: an
unclosed quote, command substitution or here-document; ``if``/``then``/``else``/``fi``,
loops and ``do``/``done``, ``case``/``esac``, ``{ }`` and ``( )`` out of balance or out of
order; a part that must hold a command and holds none (``then fi``, ``{ }``); an operator
with no command before it (``; ;``, ``&& ;``) or after it (a script ending in ``&&``); a
word right after ``fi``. tests/test_shell_syntax.py checks it against dash. When a shell is
on the machine, ``sh -n`` (``bash -n`` for bash strings) confirms a finding before it is
reported: ``-n`` only reads the script, it never runs it.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from typing import NoReturn

# The word that closes each kind of compound command.
_CLOSER_OF = {"if": "fi", "loop": "done", "for": "done", "case": "esac", "{": "}"}
# Reserved words that may follow a compound command with no separator (`fi fi` when nested).
_AFTER_COMPOUND = {"fi", "done", "esac", "}", "then", "else", "elif", "do"}
# A run of characters with no meaning to the lexer: taken in one step, not one by one.
_PLAIN_RUN = re.compile(r"[^ \t\r\n;&|<>()\\'\"`$]+")
_PLAIN_IN_DOUBLE_QUOTES = re.compile(r'[^\\"$`]+')  # inside "...", what is taken as written
_PLAIN_WORD = re.compile(r"([^ \t\r\n;&|<>()\\'\"`$]+)([ \t]*)")  # a plain word and the blanks after it
_RESERVED = {*_AFTER_COMPOUND, "if", "while", "until", "for", "select", "case", "{", "function", "!", "time"}
_OPERATOR = re.compile(r";;&|;;|;&|&&|\|\||\|&|[;&|]")


@dataclass
class SyntaxProblem:
    message: str
    offset: int  # where parsing failed, in the script
    # sh itself accepts it, so `sh -n` cannot confirm it: a here-document that runs to the
    # end of the script (bash only warns) takes in every line after it, and none of them runs.
    sh_accepts: bool = False


@dataclass
class _Frame:
    """An open compound command."""

    kind: str  # if | loop (while, until) | for (for, select) | case | {
    word: str  # named when it is never closed: the opener (if, while, case, {), or do once a loop's body began
    offset: int
    part: str  # if: cond/body; loop and for: head/body; case and {: body
    part_word: str = ""  # the word that began the current part: if, then, else, do, ...
    has_command: bool = False  # the current part holds a command
    head_words: int = 0  # for: words after `for` (`for x do` has one)

    def __post_init__(self) -> None:
        self.part_word = self.part_word or self.word


def _in_case_head(stack: list[_Frame]) -> bool:
    return bool(stack) and stack[-1].kind == "case" and stack[-1].part == "head"


def check(text: str) -> SyntaxProblem | None:
    try:
        return _Lexer(text).run()
    except RecursionError:  # thousands of nested ( ) or $( ): no verdict rather than a crash
        return None


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.stack: list[_Frame] = []
        self.heredocs: list[tuple[str, bool, int]] = []  # (terminator, strip tabs, offset)
        self.command_position = True
        self.in_case_patterns = False
        self.function_name_next = False  # after `function`, its name, then the body
        self.just_closed: str | None = None  # `fi`, `done`, ... when it was the last token
        # What came last: start | word | close (a compound ended) | sep (; & newline) |
        # op (&& || |) | open (a word after which a command must come: then, do, {, !, ...)
        self.last = "start"
        self.last_operator = (";", 0)
        self.name_of_command = False  # the last word was a command's first: `name()` may follow
        self.in_test = False  # inside bash's `[[ ... ]]`, where ( ) group and | is a regex's

    def run(self) -> SyntaxProblem | None:
        try:
            self._lex(top=True)
            if self.last == "op":
                operator, offset = self.last_operator
                self._fail(f"the script ends with '{operator}': the command after it is missing", offset)
            if self.last == "open" and not self.stack:  # `!` or `f()` with nothing after it
                self._fail("the script ends where a command must come", len(self.text))
        except _Stop as stop:
            return stop.problem
        if self.heredocs:  # `cat <<EOF` on the last line: nothing after it at all
            word, _, offset = self.heredocs[0]
            return SyntaxProblem(f"here-document is never closed: no line '{word}' ends it", offset, sh_accepts=True)
        if self.stack:
            frame = self.stack[-1]
            return SyntaxProblem(f"'{frame.word}' is never closed: '{_CLOSER_OF[frame.kind]}' is missing", frame.offset)
        return None

    def _fail(self, message: str, offset: int) -> NoReturn:
        raise _Stop(SyntaxProblem(message, offset))

    def _command_seen(self, last: str = "word") -> None:
        """A command (or a redirection, or a whole compound command) ends here."""
        self.last = last
        if self.stack:
            self.stack[-1].has_command = True

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
                self.in_test = False  # an unclosed `[[` ends with its line
                if self.last in ("word", "close"):
                    self.last = "sep"
                continue
            if char in " \t\r":
                self.i += 1
                continue
            if char == "\\" and text.startswith("\\\n", self.i):  # a line continuation: white space
                self.i += 2
                continue
            if char == "#":
                end = text.find("\n", self.i)
                self.i = n if end < 0 else end
                continue
            if self.in_test and char in "()|&<>":
                self._test_operator()
                continue
            if char == ")" and self.in_case_patterns:  # the end of a case pattern: `a)`
                self.in_case_patterns = False
                self.command_position = True
                self.last = "open"
                self.i += 1
                continue
            if closer is not None and char == closer:
                self.i += 1
                return
            if char in ";&|":
                self._operator()
                continue
            if char == "(":
                self._open_paren()
                continue
            if char == ")":
                self._fail("unexpected ')'", self.i)
            if char in "<>":
                self._redirect()
                self._command_seen()
                continue
            self._word()
        if closer is not None:
            raise _Stop(SyntaxProblem(f"'{'(' if closer == ')' else closer}' is never closed", self.i))

    def _test_operator(self) -> None:
        """`(`, `)`, `|`, `&&`, `<` inside `[[ ... ]]`: parts of the test, not of the command list."""
        self.i += 2 if self.text.startswith(("&&", "||"), self.i) else 1
        self.last = "word"

    def _operator(self) -> None:
        start = self.i
        match = _OPERATOR.match(self.text, start)
        assert match is not None  # called at one of ; & |
        operator = match.group()
        self.i = match.end()
        self.in_test = False
        self.command_position = True
        if operator.startswith(";;") or operator == ";&":
            if not self.stack or self.stack[-1].kind != "case":
                self._fail(f"'{operator}' outside a case", start)
            self.in_case_patterns = True
            self.last = "sep"
            return
        if self.last not in ("word", "close"):
            self._fail(f"unexpected '{operator}': there is no command before it", start)
        self.last = "sep" if operator in (";", "&") else "op"
        self.last_operator = (operator, start)

    def _open_paren(self) -> None:
        text = self.text
        start = self.i
        if self.in_case_patterns:  # `(a)`: the optional opening parenthesis of a pattern
            self.i += 1
            return
        if text[self.i + 1 :].lstrip(" \t").startswith(")"):  # `name()`: a function body comes next
            if not self.name_of_command:
                self._fail("unexpected '(': a function name must start the command", start)
            self.i = text.index(")", self.i) + 1
            self.command_position = True
            self.last = "open"
            return
        # `<(ls)`: bash's process substitution, a word to this lexer (AIB404 names the bashism)
        process = start > 0 and text[start - 1] in "<>"
        if not self.command_position and not process:
            self._fail("unexpected '(': a subshell must start a command", start)
        self.i += 1
        self._nested_list("( )", start, empty_allowed=False)
        self.command_position = False
        if process:
            self._command_seen()
            return
        self._command_seen("close")
        self.just_closed = ")"  # like `fi`: a reserved word or an operator may follow, no other word

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
            indented: str | None = None  # `  EOF`: the usual reason the terminator is missed
            while True:
                if self.i >= len(text):
                    self._unclosed_heredoc(word, offset, indented)
                end = text.find("\n", self.i)
                end = len(text) if end < 0 else end
                line = text[self.i : end]
                self.i = min(end + 1, len(text)) if end < len(text) else len(text)
                if (line.lstrip("\t") if strip else line) == word:
                    break
                if indented is None and line.strip() == word:
                    indented = line
                if end >= len(text):
                    self._unclosed_heredoc(word, offset, indented)

    def _unclosed_heredoc(self, word: str, offset: int, indented: str | None) -> NoReturn:
        cause = f": the line {indented!r} does not count, the terminator must start its line" if indented is not None else ""
        raise _Stop(
            SyntaxProblem(
                f"here-document is never closed: no line '{word}' ends it{cause}; "
                "it takes in every line after it, and none of those commands runs",
                offset,
                sh_accepts=True,
            )
        )

    def _word(self, collect: bool = False) -> str:
        start = self.i
        text = self.text
        run = _PLAIN_WORD.match(text, start)
        end = run.end(1) if run is not None else start
        if run is not None and (run.end(2) > end or end == len(text) or text[end] in " \t\r\n;&|<>)"):
            self.i = run.end()  # the usual word, plain characters up to a separator, and the blanks after it
            word, quoted = run.group(1), False
        else:
            word, quoted = self._scan_word(start)
            end = self.i
        if collect:
            return word
        if self.just_closed is None and not self.function_name_next and not self.in_case_patterns:
            # The common cases first: a command's first word, or one of its arguments.
            if self.command_position and not quoted:
                self.name_of_command = False
                self._keyword(word, start)
                return word
            if not self.command_position and (not self.stack or self.stack[-1].kind not in ("for", "case")):
                self.name_of_command = False
                self.last = "word"
                if word == "]]":
                    self.in_test = False
                return word
        closed, self.just_closed = self.just_closed, None
        if closed is not None:
            if not quoted and word in _AFTER_COMPOUND:  # `fi fi` closing two levels at once
                self._keyword(word, start)
                return word
            if not self._io_number(word, end):  # `fi echo`: sh wants a `;` or a new line first
                self._fail(f"unexpected '{word}' after '{closed}': a ';' or a new line is missing before it", start)
        self.name_of_command = False
        if self.function_name_next:
            self.function_name_next = False
            self.command_position = True
            self.name_of_command = True
            self.last = "open"
            return word
        frame = self.stack[-1] if self.stack else None
        if not quoted and self.command_position and not self.in_case_patterns:
            self._keyword(word, start)
        elif frame is not None and frame.kind == "for" and frame.part == "head" and frame.head_words == 1 and word == "do":
            self._keyword(word, start)  # `for x do ...`: no `in` list, no separator
        elif word == "in" and frame is not None and frame.kind == "case" and frame.part == "head":
            frame.part = "body"
            self.in_case_patterns = True
        elif not quoted and word == "esac" and frame is not None and frame.kind == "case":
            self._keyword(word, start)
        else:
            self.command_position = False  # `"fi"` is a command name, never a reserved word
            if frame is not None and frame.kind == "for" and frame.part == "head":
                frame.head_words += 1
            self._command_seen()
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
                self._skip_array(self.i)
                continue
            if char == "(" and self.i > start and text[self.i - 1] not in "$<>=@?*+!":
                break
            if char == "\\":
                if self.i + 1 < n and text[self.i + 1] != "\n":  # backslash-newline joins lines
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

    def _skip_array(self, start: int) -> None:
        """The words of `name=( ... )`, which may hold quotes, `$( )` and new lines."""
        text = self.text
        self.i = start + 1
        while self.i < len(text):
            char = text[self.i]
            if char == ")":
                self.i += 1
                return
            if char in " \t\r\n":
                self.i += 1
            elif char == "#" and text[self.i - 1] in " \t\n(":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            else:
                before = self.i
                self._scan_word(self.i)
                if self.i == before:  # a character no word takes (`;`, `|`, `<`): step over it
                    self.i += 1
        self._fail("'(' is never closed: ')' is missing", start)

    def _io_number(self, word: str, end: int) -> bool:
        """The `2` of `done 2>/dev/null` (`end`: where the word ends)."""
        return word.isdigit() and self.text[end : end + 1] in ("<", ">")

    def _keyword(self, word: str, start: int) -> None:
        """A word at command position: a reserved word moves the structure on, any other
        word is a command name."""
        if word == "in" and _in_case_head(self.stack):  # `case x` <newline> `in`
            self.stack[-1].part = "body"
            self.in_case_patterns = True
            self.command_position = False
            self.last = "word"
            return
        if word not in _RESERVED:
            # A command name, or an assignment before one: a reserved word after it is an
            # ordinary word (`x=1 fi` runs a command called fi).
            self.command_position = False
            self.name_of_command = True
            self.in_test = word == "[["
            self._command_seen()
            return
        if word in _AFTER_COMPOUND and self.last == "op":
            operator, _ = self.last_operator
            self._fail(f"unexpected '{word}': the command after '{operator}' is missing", start)
        frame = self.stack[-1] if self.stack else None
        if word == "if":
            self._open(_Frame("if", word, start, "cond"))
        elif word in ("while", "until"):
            self._open(_Frame("loop", word, start, "head"))
        elif word in ("for", "select"):
            self._open(_Frame("for", word, start, "head"))
            self.command_position = False
            self.last = "word"  # the loop variable and its list are words: `for x;` is whole
            self._skip_arithmetic_head()
        elif word == "case":
            self._open(_Frame("case", word, start, "head"))
            self.command_position = False
            self.last = "word"
        elif word == "{":
            self._open(_Frame("{", word, start, "body"))
        elif word in ("then", "elif", "else"):
            wanted = "cond" if word == "then" else "body"
            if frame is None or frame.kind != "if" or frame.part != wanted:
                self._fail(f"unexpected '{word}'", start)
            self._require_command(frame, word, start)
            frame.part = "body" if word != "elif" else "cond"
            frame.part_word, frame.has_command = word, False
            self.command_position = True
            self.last = "open"
        elif word == "do":
            if frame is None or frame.kind not in ("loop", "for") or frame.part != "head":
                self._fail("unexpected 'do': no while, until or for before it", start)
            if frame.kind == "loop":
                self._require_command(frame, word, start)
            frame.word, frame.part_word, frame.offset, frame.part, frame.has_command = "do", "do", start, "body", False
            self.command_position = True
            self.last = "open"
        elif word in ("fi", "done", "esac", "}"):
            kinds = {"fi": ("if",), "done": ("loop", "for"), "esac": ("case",), "}": ("{",)}[word]
            if frame is None or frame.kind not in kinds or (word != "esac" and frame.part != "body"):
                expected = f"'{_CLOSER_OF[frame.kind]}'" if frame is not None else "nothing"
                if frame is not None and frame.kind == "if" and frame.part == "cond":
                    expected = "'then'"
                elif frame is not None and frame.kind in ("loop", "for") and frame.part == "head":
                    expected = "'do'"
                self._fail(f"unexpected '{word}': expected {expected}", start)
            if word != "esac":
                self._require_command(frame, word, start)
            self.stack.pop()
            self.in_case_patterns = False
            self.command_position = False
            self.just_closed = word
            self._command_seen("close")
        elif word == "function":
            self.function_name_next = True
            self.last = "open"
        else:  # `!` and `time` prefix the command that follows
            self.command_position = True
            self.last = "open"

    def _skip_arithmetic_head(self) -> None:
        """bash's `for ((i=0; i<3; i++))`: one unit here (AIB404 names the bashism)."""
        text = self.text
        j = self.i
        while j < len(text) and text[j] in " \t":
            j += 1
        if not text.startswith("((", j):
            return
        depth = 0
        for end in range(j, len(text)):  # `$(( ))` may sit inside: count the parentheses
            depth += text[end] == "("
            depth -= text[end] == ")"
            if depth == 0:
                break
        else:
            self._fail("unterminated for ((: the closing )) is missing", j)
        self.i = end + 1
        self.stack[-1].head_words = 1  # like `for x`: `do` may follow at once

    def _open(self, frame: _Frame) -> None:
        self.stack.append(frame)
        self.command_position = True
        self.last = "open"

    def _require_command(self, frame: _Frame, word: str, start: int) -> None:
        if not frame.has_command:
            self._fail(f"'{word}' comes where a command must be first: nothing after '{frame.part_word}'", start)

    def _double_quoted(self) -> str:
        text = self.text
        start = self.i
        self.i += 1
        out: list[str] = []
        while self.i < len(text):
            plain = _PLAIN_IN_DOUBLE_QUOTES.match(text, self.i)
            if plain is not None:  # a run with no special character: one step, not one per character
                out.append(plain.group())
                self.i = plain.end()
                continue
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
        self._nested_list("$( )", start, empty_allowed=True)

    def _nested_list(self, label: str, start: int, empty_allowed: bool) -> None:
        """The commands inside `( )` or `$( )`, up to the `)`: a list that must close what it opens."""
        saved = (self.command_position, self.stack, self.in_case_patterns, self.last, self.just_closed)
        self.command_position, self.stack, self.in_case_patterns = True, [], False
        self.last = "start" if empty_allowed else "open"
        self._lex(top=False, closer=")")  # stops with "never closed" at the end of the script
        if self.stack:
            frame = self.stack[-1]
            self._fail(f"'{frame.word}' is never closed inside {label}", frame.offset)
        if self.last == "op":
            operator, offset = self.last_operator
            self._fail(f"'{operator}' has no command after it before ')'", offset)
        if self.last == "open" and not empty_allowed:
            self._fail(f"{label} holds no command", start)
        self.command_position, self.stack, self.in_case_patterns, self.last, self.just_closed = saved


class _Stop(Exception):
    def __init__(self, problem: SyntaxProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def shell_confirms_error(text: str, dialect: str) -> bool | None:
    """Ask a real shell with ``-n`` (parse only). None when no suitable shell is here."""
    candidates = ("bash",) if dialect == "bash" else ("dash", "sh")
    from aiblint.programs import find

    for name in candidates:
        path = find(name)  # never a program from the linted tree
        if path is None:
            continue
        try:
            result = subprocess.run([path, "-n"], input=text.encode("utf-8", "replace"), capture_output=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            return None
        return result.returncode != 0
    return None
