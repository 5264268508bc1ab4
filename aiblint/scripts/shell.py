"""The Shell command model: every command a script runs, as the rules need to see it.

The script is parsed with tree-sitter-bash and walked in textual order. For each simple
command we record the *effective* command after looking through wrappers (``sudo`` and
its options, ``env``, ``VAR=value`` prefixes, ``nohup``, ``timeout``, ``xargs``, ...) and
into strings run by ``sh -c`` / ``bash -c`` (re-parsed, offsets kept). Exported variables
are tracked so a rule can ask whether ``DEBIAN_FRONTEND`` reaches a command (``sudo``
drops them unless ``-E`` or ``sudo VAR=value``). Words inside quotes are never commands.
All offsets are character offsets in the script text handed in.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aiblint.scripts.shell_model import Construct, Redirect, ShellCommand, ShellComment, ShellModel, Word
from aiblint.scripts.shell_region import Region
from aiblint.scripts.shell_wrappers import (
    LOOKED_THROUGH,
    SHELLS,
    WordsFrom,
    basename,
    env_prefix,
    sudo_prefix,
    value_after,
    wrapper_skip,
)
from aiblint.scripts.spans import CharOffsets, collection_paused, find_comments

# The model's types are re-exported: rules and tests import them from here as before.
__all__ = ["Construct", "Redirect", "ShellCommand", "ShellComment", "ShellModel", "Word", "analyse", "parse_tree"]

# -- tree-sitter plumbing -------------------------------------------------------------


_NOT_FOR_THE_PARSER = re.compile("[^\x01-\x7f]")


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def parse_tree(text: str) -> tuple[Any, CharOffsets]:
    """Parse with tree-sitter-bash, which is only ever shown ASCII.

    Its external scanner can crash the process (a segfault, found by the property tests)
    on an unterminated here-document mixed with non-ASCII characters. Outside quotes such
    characters are plain word characters to a shell, so each becomes an 'a' for the
    parser: the structure is the same, byte offsets equal character offsets, and words
    are still read from the original text. NUL is mapped the same way: the parser slows to
    quadratic time on NUL characters, and a shell drops them from words anyway.
    """
    if not text.isascii() or "\x00" in text:
        text = _NOT_FOR_THE_PARSER.sub("a", text)
    chars = CharOffsets(text)
    return _parser().parse(chars.data), chars


# -- the walk -------------------------------------------------------------------------


def _list_elements(node: Any) -> list[Any]:
    """The commands of a left-nested `list` chain, in order, without recursion."""
    spine = [node]
    while True:
        named = spine[-1].named_children
        if len(named) > 1 and named[0].type == "list":
            spine.append(named[0])
        else:
            break
    elements = list(spine[-1].named_children)
    for level in reversed(spine[:-1]):
        elements.extend(level.named_children[1:])
    return elements


# What a heredoc_redirect node holds besides the rest of its line's commands.
_HEREDOC_PARTS = frozenset({"heredoc_start", "heredoc_body", "heredoc_end", "file_redirect", "file_descriptor"})
# Word nodes that cannot hold a command substitution.
_LEAF_WORDS = frozenset({"word", "number", "raw_string"})


@dataclass
class _State:
    exported: dict[str, str]
    variables: dict[str, str]
    dialect: str
    stdin_fed: bool = False
    cwd: str | None = None
    via: tuple[str, ...] = ()
    sudo: bool = False
    tested: str = ""  # see ShellCommand.tested

    def child(self, stdin_fed: bool | None = None) -> _State:
        """The state of a subshell: its variables are its own from here on."""
        return _State(
            dict(self.exported),
            dict(self.variables),
            self.dialect,
            self.stdin_fed if stdin_fed is None else stdin_fed,
            self.cwd,
            self.via,
            self.sudo,
            self.tested,
        )


class _Walker:
    def __init__(self, model: ShellModel) -> None:
        self.model = model
        self.last_command: ShellCommand | None = None  # the command _n_command emitted last

    # A text region of the script parsed on its own (the script, or an sh -c string).
    def walk_text(self, text: str, to_script: Callable[[int], int] | None, state: _State, top: bool) -> None:
        tree, chars = parse_tree(text)
        root = tree.root_node
        region = Region(text, chars, to_script)
        if top:
            self.model.comments = find_comments(root, chars.data, text, lambda n: n.start_byte, region.span, region.node_text)
        self.walk(root, region, state)

    def walk(self, node: Any, region: Region, state: _State) -> None:
        kind = node.type
        handler = _HANDLERS.get(kind)  # `_n_<node type>` methods
        if handler is not None:
            handler(self, node, region, state)
            return
        if kind in ("subshell", "command_substitution"):
            inner = state.child(stdin_fed=False) if kind != "subshell" else state.child()
            for child in node.named_children:
                self.walk(child, region, inner)
            return
        for child in node.named_children:
            self.walk(child, region, state)

    # -- structure ----------------------------------------------------------------------
    def _n_process_substitution(self, node: Any, region: Region, state: _State) -> None:
        start, _ = region.span(node)
        self._bashism(state, "`<( )` process substitution (use a temporary file or a pipe)", start, start + 2)
        inner = state.child(stdin_fed=False)
        for child in node.named_children:
            self.walk(child, region, inner)

    def _n_comment(self, node: Any, region: Region, state: _State) -> None:
        return

    def _n_heredoc_body(self, node: Any, region: Region, state: _State) -> None:
        return  # text handed to a command, not commands

    def _n_pipeline(self, node: Any, region: Region, state: _State) -> None:
        previous: ShellCommand | None = None
        first = True
        for child in node.named_children:
            before = len(self.model.commands)
            inner = state if first else state.child(stdin_fed=True)
            self.walk(child, region, inner)
            if not first and previous is not None and len(self.model.commands) > before:
                self.model.commands[before].piped_from = previous
            if len(self.model.commands) > before:
                previous = self.model.commands[-1]
            first = False

    def _n_redirected_statement(self, node: Any, region: Region, state: _State) -> None:
        redirects, fed = self._redirects(node.children, region, state)
        body = node.child_by_field_name("body")
        inner = state.child(stdin_fed=True) if fed else state
        before = len(self.model.commands)
        self.last_command = None
        if body is not None:
            self.walk(body, region, inner)
        main = self.last_command if body is not None and body.type == "command" else None
        for redirect_node in node.children:
            if redirect_node.type.endswith("redirect"):
                for child in redirect_node.named_children:
                    if child.type in ("command_substitution", "process_substitution"):
                        self.walk(child, region, state)
        commands = self.model.commands[before:]
        if main is not None:
            main.redirects.extend(redirects)
        elif commands:
            for command in commands:  # a compound statement: its commands share the redirect
                command.redirects.extend(r for r in redirects if r.body is None)
        for redirect_node in node.children:
            if redirect_node.type == "heredoc_redirect":
                self._after_heredoc_start(redirect_node, region, state, main)

    def _after_heredoc_start(self, redirect: Any, region: Region, state: _State, main: ShellCommand | None) -> None:
        """The rest of the `<<EOF` line, which tree-sitter-bash nests in the heredoc node:
        `cat <<EOF | sudo tee FILE` (a pipeline fed by cat), `cat <<EOF > f && next`."""
        for child in redirect.named_children:
            if child.type in _HEREDOC_PARTS:
                continue
            if child.type == "pipeline":
                previous = main
                for element in child.named_children:
                    before = len(self.model.commands)
                    self.walk(element, region, state.child(stdin_fed=True))
                    if len(self.model.commands) > before:
                        self.model.commands[before].piped_from = previous
                        previous = self.model.commands[-1]
            else:
                self.walk(child, region, state)

    def _redirects(self, nodes: list[Any], region: Region, state: _State | None = None) -> tuple[list[Redirect], bool]:
        redirects: list[Redirect] = []
        fed = False
        for child in nodes:
            if child.type == "file_redirect":
                operator = "".join(c.type for c in child.children if not c.is_named) or ">"
                target = child.child_by_field_name("destination")
                if target is None:
                    named = [c for c in child.named_children if c.type != "file_descriptor"]
                    target = named[-1] if named else None
                word = region.word(target) if target is not None else None
                redirects.append(Redirect(operator, word))
                if operator.startswith("<") and operator != "<&":
                    fed = True
            elif child.type == "heredoc_redirect":
                body = next((c for c in child.named_children if c.type == "heredoc_body"), None)
                text = region.node_text(body) if body is not None else ""
                targets = [c for c in child.named_children if c.type not in ("heredoc_start", "heredoc_body", "heredoc_end")]
                redirects.append(Redirect("<<", None, text))
                for target in targets:  # `cat <<EOF > file`: the output redirect rides along
                    if target.type == "file_redirect":
                        operator = "".join(c.type for c in target.children if not c.is_named) or ">"
                        dest = [c for c in target.named_children if c.type != "file_descriptor"]
                        if dest:
                            redirects.append(Redirect(operator, region.word(dest[-1])))
                fed = True
            elif child.type == "herestring_redirect" or (child.type == "ERROR" and "<<<" in region.node_text(child)):
                redirects.append(Redirect("<<<", None))
                if state is not None:
                    start, _ = region.span(child)
                    self._bashism(state, "a `<<<` here-string (use a pipe or a here-document)", start, start + 3)
                fed = True
        return redirects, fed

    def _n_if_statement(self, node: Any, region: Region, state: _State) -> None:
        self._walk_with_condition(node, region, state, "if")

    def _n_elif_clause(self, node: Any, region: Region, state: _State) -> None:
        # no `condition` field here (tree-sitter-bash 0.25): the condition is what comes before `then`
        in_condition = True
        for child in node.children:
            if child.type == "then":
                in_condition = False
            elif child.is_named:
                if in_condition:
                    self._walk_tested(child, region, state, "if")
                else:
                    self.walk(child, region, state)

    def _n_while_statement(self, node: Any, region: Region, state: _State) -> None:
        self._walk_with_condition(node, region, state, "loop")

    def _walk_with_condition(self, node: Any, region: Region, state: _State, how: str) -> None:
        # The condition runs in the same shell: the state is shared, only `tested` changes.
        for index, child in enumerate(node.children):
            if not child.is_named:
                continue
            if node.field_name_for_child(index) == "condition":
                self._walk_tested(child, region, state, how)
            else:
                self.walk(child, region, state)

    def _walk_tested(self, node: Any, region: Region, state: _State, how: str) -> None:
        saved, state.tested = state.tested, how
        self.walk(node, region, state)
        state.tested = saved  # (an exception abandons the whole model, state and all)

    def _n_list(self, node: Any, region: Region, state: _State) -> None:
        # `a && b`, `a || b`: a's status decides what runs next (sh -e ignores its failure).
        # tree-sitter nests `a && b && c` as ((a && b) && c): the chain is flattened here, so a
        # flat chain of 400 commands is not 400 levels of recursion (nor "nested too deeply").
        elements = _list_elements(node)
        for position, child in enumerate(elements):
            if position < len(elements) - 1 and state.tested != "loop" and state.tested != "if":
                self._walk_tested(child, region, state, "list")
            else:
                self.walk(child, region, state)

    def _n_negated_command(self, node: Any, region: Region, state: _State) -> None:
        for child in node.named_children:
            self._walk_tested(child, region, state, "not")

    def _n_function_definition(self, node: Any, region: Region, state: _State) -> None:
        if node.children and node.children[0].type == "function":
            start, end = region.span(node.children[0])
            self._bashism(state, "the `function` keyword (write `name() { ...; }`)", start, end)
        for child in node.named_children:
            self.walk(child, region, state)

    def _n_test_command(self, node: Any, region: Region, state: _State) -> None:
        if node.children and node.children[0].type == "[[":
            start, _ = region.span(node.children[0])
            _, _end = region.span(node)
            self._bashism(state, "`[[ ... ]]` (use `[ ... ]`)", start, start + 2)
        for child in node.named_children:
            self.walk(child, region, state)

    def _n_arithmetic_expansion(self, node: Any, region: Region, state: _State) -> None:
        for child in node.named_children:
            self.walk(child, region, state)

    def _n_compound_statement(self, node: Any, region: Region, state: _State) -> None:
        first = node.children[0] if node.children else None
        if first is not None and first.type == "((":
            start, _ = region.span(first)
            self._bashism(state, "the `(( ... ))` arithmetic command (use `[ $((...)) -ne 0 ]`)", start, start + 2)
        for child in node.named_children:
            self.walk(child, region, state)

    def _n_array(self, node: Any, region: Region, state: _State) -> None:
        start, end = region.span(node)
        self._bashism(state, "an array", start, end)

    def _n_expansion(self, node: Any, region: Region, state: _State) -> None:
        operators = [c.type for c in node.children if not c.is_named]
        start, end = region.span(node)
        if any(op in ("/", "//", "/#", "/%") for op in operators):
            self._bashism(state, "`${var/pattern/replacement}` substitution", start, end)
        elif ":" in operators and any(
            c.type in ("number", "arithmetic_expansion", "binary_expression") for c in node.named_children
        ):
            self._bashism(state, "`${var:offset:length}` substrings", start, end)
        elif any(c.type == "subscript" for c in node.named_children):
            self._bashism(state, "an array subscript", start, end)
        for child in node.named_children:
            self.walk(child, region, state)

    def _n_ansi_c_string(self, node: Any, region: Region, state: _State) -> None:
        start, end = region.span(node)
        self._bashism(state, "`$'...'` quoting", start, end)

    def _n_c_style_for_statement(self, node: Any, region: Region, state: _State) -> None:
        start, _ = region.span(node)
        self._bashism(state, "a C-style `for ((...))` loop (use `for i in 1 2 3` or a `while` loop)", start, start + 3)
        for child in node.named_children:
            self.walk(child, region, state)

    def _n_for_statement(self, node: Any, region: Region, state: _State) -> None:
        if node.children and node.children[0].type == "select":
            start, end = region.span(node.children[0])
            self._bashism(state, "`select`", start, end)
        variable = node.child_by_field_name("variable")
        inner = state
        if variable is not None:
            inner = state.child()
            inner.variables.pop(region.node_text(variable), None)
        for child in node.named_children:
            self.walk(child, region, inner)

    def _n_declaration_command(self, node: Any, region: Region, state: _State) -> None:
        keyword = node.children[0].type if node.children else ""
        if keyword in ("declare", "typeset"):
            start, end = region.span(node.children[0])
            self._bashism(state, f"`{keyword}`", start, end)
        for child in node.named_children:
            if child.type == "variable_assignment":
                name, value = self._assignment(child, region, state)
                if name is not None:
                    _set_variable(state.variables, name, value)
                    if keyword == "export" or (keyword in ("declare", "typeset") and "-x" in region.node_text(node)):
                        state.exported[name] = value or ""
            elif child.type == "variable_name" and keyword == "export":
                name = region.node_text(child)
                state.exported[name] = state.variables.get(name, "")
            else:
                self.walk(child, region, state)

    def _n_variable_assignment(self, node: Any, region: Region, state: _State) -> None:
        name, value = self._assignment(node, region, state)
        if name is not None:
            _set_variable(state.variables, name, value)
            if name in state.exported:
                state.exported[name] = value or ""

    def _assignment(self, node: Any, region: Region, state: _State) -> tuple[str | None, str | None]:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        for child in node.named_children:
            if child.type in ("command_substitution", "array", "string", "concatenation", "expansion"):
                self.walk(child, region, state)
        if name_node is None:
            return None, None
        name = region.node_text(name_node)
        start, end = region.span(node)
        if value_node is None:
            self.model.assignments.append((name, "", start, end))
            return name, ""
        word = region.word(value_node, state.variables)
        self.model.assignments.append((name, word.value, start, end))
        return name, word.value

    # -- commands -----------------------------------------------------------------------
    def _n_command(self, node: Any, region: Region, state: _State) -> None:
        # tree-sitter-bash 0.25 sometimes hangs the next line's words on the last command
        # of a pipeline (`a | b\nc && d`). An unescaped newline always ends a simple
        # command in sh, so split the node's children at such gaps.
        text = region.text
        if text.find("\n", node.start_byte, node.end_byte) < 0:
            self._simple_command(node.children, region, state)  # one line: nothing to split
            return
        groups: list[list[Any]] = [[]]
        previous_end: int | None = None
        for child in node.children:
            if previous_end is not None:
                start = child.start_byte
                if (
                    groups[-1]
                    and text.find("\n", previous_end, start) >= 0
                    and not text[previous_end:start].rstrip(" \t\r\n").endswith("\\")
                ):
                    groups.append([])
            groups[-1].append(child)
            previous_end = child.end_byte
        for number, children in enumerate(groups):
            self._simple_command(children, region, state if number == 0 else state.child(stdin_fed=False))

    def _simple_command(self, children: list[Any], region: Region, state: _State) -> None:
        prefix_env: dict[str, str] = {}
        prefix_values: dict[str, str | None] = {}  # None: known only when the script runs
        words: list[Word] = []
        inline_redirects: list[Redirect] = []
        for child in children:
            if not child.is_named:
                continue
            kind = child.type
            if kind == "variable_assignment":
                name, value = self._assignment(child, region, state)
                if name is not None:
                    prefix_env[name] = value or ""
                    prefix_values[name] = value
            elif kind == "command_name":
                named = child.named_children
                target = named[0] if named else child
                words.extend(self._words(target, region, state))
            elif kind.endswith("redirect"):
                redirects, fed = self._redirects([child], region, state)
                inline_redirects.extend(redirects)
                if fed:
                    state = state.child(stdin_fed=True)
            elif kind in ("comment",):
                continue
            else:
                words.extend(self._words(child, region, state))
        if not words:
            for name, known in prefix_values.items():  # `A=1` alone is an assignment
                _set_variable(state.variables, name, known)
            return
        end = region.script_offset(children[-1].end_byte)
        env = dict(state.exported)
        env.update(prefix_env)
        self._emit(words, end, env, state, region, inline_redirects)

    def _words(self, node: Any, region: Region, state: _State) -> list[Word]:
        kind = node.type
        if kind in _LEAF_WORDS:
            return [region.word(node, state.variables, kind)]
        # Commands inside $( ), <( ) and "...$(...)..." run too.
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type in ("command_substitution", "process_substitution"):
                self.walk(current, region, state.child(stdin_fed=False))
            elif current.type == "expansion":
                self._n_expansion(current, region, state)
            elif current.type == "ansi_c_string":
                self._n_ansi_c_string(current, region, state)
            else:
                stack.extend(current.named_children)
        word = region.word(node, state.variables, kind)
        if word.expansion is not None and word.value is None and word.expansion in state.variables:
            # An unquoted $VAR with a known value splits into words, as sh does.
            value = state.variables[word.expansion]
            return [Word(part, word.start, word.end, part) for part in value.split()] or []
        return [word]

    def _emit(
        self,
        words: list[Word],
        end: int,
        env: dict[str, str],
        state: _State,
        region: Region,
        redirects: list[Redirect],
    ) -> None:
        via = list(state.via)
        sudo = state.sudo
        index = 0
        first = words[0].text
        # Most commands are neither a wrapper nor `VAR=value cmd`: skip the look-through loop.
        plain = "=" not in first and "/" not in first and first not in LOOKED_THROUGH
        while not plain and index < len(words):
            name = basename(words[index].text)
            rest = WordsFrom(words, index + 1)
            if name == "sudo":
                consumed, keep_env, assigned = sudo_prefix(rest)
                if not keep_env:
                    env = {k: v for k, v in env.items() if k in ("PATH",)}
                env.update(assigned)
                via.append("sudo")
                sudo = True
                index += 1 + consumed
                continue
            if name == "env":
                consumed, assigned, clear = env_prefix(rest)
                if clear:
                    env = {}
                env.update(assigned)
                via.append("env")
                index += 1 + consumed
                continue
            skip = wrapper_skip(name, rest)
            if skip is not None:
                via.append(name)
                index += 1 + skip
                continue
            if (
                "=" in words[index].text
                and words[index].text.split("=", 1)[0].isidentifier()
                and (not via or via[-1] in ("sudo", "env"))
            ):  # `VAR=value cmd` at command position, or after sudo / env
                key, value = words[index].text.split("=", 1)
                env[key] = value
                index += 1
                continue
            break
        if index >= len(words):
            return
        name_word = words[index]
        name = basename(name_word.text)
        args = words[index + 1 :]
        command = ShellCommand(
            name=name,
            name_word=name_word,
            args=args,
            end=end,
            env=env,
            sudo=sudo,
            via=tuple(via),
            stdin_fed=state.stdin_fed,
            tested=state.tested,
            piped_from=None,
            redirects=list(redirects),
            dialect=state.dialect,
            cwd=state.cwd,
            index=len(self.model.commands),
        )
        self.model.commands.append(command)
        self.last_command = command
        if name == "source" and state.dialect == "sh":
            self._bashism(state, "`source` (use `.`)", name_word.start, name_word.end)
        if name == "set" and state.dialect == "sh":
            texts = command.words
            for i, text in enumerate(texts):
                if text == "-o" and i + 1 < len(texts) and texts[i + 1] == "pipefail":
                    self._bashism(state, "`set -o pipefail`", name_word.start, args[i + 1].end)
        if name == "cd":
            positional = command.positionals()
            if positional and positional[0].value is not None:
                target = positional[0].value
                state.cwd = target if target.startswith("/") else (posixpath.join(state.cwd, target) if state.cwd else None)
        if name == "export":
            for word in args:
                if word.value and "=" in word.value:
                    key, value = word.value.split("=", 1)
                    state.exported[key] = value
        if name in SHELLS or name in ("su", "runuser"):
            self._reparse_c_string(command, region, state, env)
        self.last_command = command  # the outer command, not one inside its sh -c string

    def _reparse_c_string(self, command: ShellCommand, region: Region, state: _State, env: dict[str, str]) -> None:
        """`sh -c '...'`, `bash -c "..."`, `su -c '...'`: the string holds commands."""
        script_word: Word | None = None
        dialect = state.dialect
        if command.name in SHELLS:
            args = command.args
            for i, word in enumerate(args):
                text = word.text
                if text.startswith("-") and not text.startswith("--") and "c" in text[1:] and i + 1 < len(args):
                    script_word = args[i + 1]
                    break
                if not text.startswith("-"):
                    break
            dialect = "bash" if command.name == "bash" else ("sh" if command.name in ("sh", "dash") else "bash")
        elif command.name in ("su", "runuser"):
            script_word = value_after(command.args, ("-c", "--command"))
            dialect = "sh"
        if script_word is None:
            return
        inner = region.inner_text(script_word)
        if inner is None:
            return
        text, mapping = inner
        inner_state = _State(
            dict(env), dict(env), dialect, command.stdin_fed, state.cwd, (*command.via, command.name + " -c"), command.sudo
        )
        self.walk_text(text, lambda offset: mapping(offset), inner_state, top=False)

    def _bashism(self, state: _State, what: str, start: int, end: int) -> None:
        if state.dialect == "sh":
            self.model.bashisms.append(Construct(what, start, end))


def _set_variable(variables: dict[str, str], name: str, value: str | None) -> None:
    """Record an assignment; a value known only at run time (`x=$(mktemp)`) makes x unknown,
    never empty: `rm -rf "$x"/*` is not `rm -rf /*`."""
    if value is None:
        variables.pop(name, None)
    else:
        variables[name] = value


_HANDLERS = {name[3:]: method for name, method in vars(_Walker).items() if name.startswith("_n_")}


def analyse(text: str, dialect: str = "sh", environment: dict[str, str] | None = None) -> ShellModel:
    """Build the command model of one script."""
    model = ShellModel(text)
    walker = _Walker(model)
    state = _State(dict(environment or {}), dict(environment or {}), dialect)
    with collection_paused():
        walker.walk_text(text, None, state, top=True)
    return model
