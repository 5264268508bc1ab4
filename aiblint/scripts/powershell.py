"""The PowerShell command model (Windows PowerShell 5.1, as the build runs it over WinRM).

Parsed with tree-sitter-pwsh. For every command: the canonical cmdlet name (aliases of
Windows PowerShell 5.1 resolved: ``rm``/``del``/``ri`` -> Remove-Item, ``iwr``/``curl``/
``wget`` -> Invoke-WebRequest, ``sleep`` -> Start-Sleep, ...) or the native program's
base name (``msiexec``, ``choco``); named parameters with PowerShell's unique-prefix
matching (``-Fo`` is ``-Force``); positional arguments; switches with ``:$false``;
splatting from a literal hashtable (``@params``). Commands hidden in strings are modelled
too, with positions inside the string: ``cmd /c "..."``, ``powershell -Command "..."``,
and ``Start-Process -FilePath X -ArgumentList ...`` (the program X with those arguments).
Strings and comments are never commands. Offsets are characters in the script.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from aiblint.scripts.spans import CharOffsets, collection_paused, find_comments
from aiblint.scripts.spans import RawComment as PsComment

# Windows PowerShell 5.1 aliases (Get-Alias), lower-case -> cmdlet
ALIASES = {
    "rm": "Remove-Item", "del": "Remove-Item", "erase": "Remove-Item", "ri": "Remove-Item", "rd": "Remove-Item",
    "rmdir": "Remove-Item", "sleep": "Start-Sleep", "iwr": "Invoke-WebRequest", "curl": "Invoke-WebRequest",
    "wget": "Invoke-WebRequest", "irm": "Invoke-RestMethod", "mv": "Move-Item", "move": "Move-Item",
    "mi": "Move-Item", "cp": "Copy-Item", "copy": "Copy-Item", "cpi": "Copy-Item", "sc": "Set-Content",
    "ac": "Add-Content", "gc": "Get-Content", "cat": "Get-Content", "type": "Get-Content", "echo": "Write-Output",
    "write": "Write-Output", "saps": "Start-Process", "start": "Start-Process", "spsv": "Stop-Service",
    "sasv": "Start-Service", "gsv": "Get-Service", "ni": "New-Item", "iex": "Invoke-Expression",
    "kill": "Stop-Process", "spps": "Stop-Process", "ls": "Get-ChildItem", "dir": "Get-ChildItem",
    "gci": "Get-ChildItem", "cd": "Set-Location", "sl": "Set-Location", "chdir": "Set-Location",
    "pushd": "Push-Location", "popd": "Pop-Location", "md": "mkdir", "ipmo": "Import-Module",
}  # fmt: skip
# Cmdlets the rules ask about, by their canonical spelling (PowerShell ignores case).
CMDLETS = {
    name.lower(): name
    for name in [
        "Remove-Item",
        "Move-Item",
        "Copy-Item",
        "Set-Content",
        "Out-File",
        "Add-Content",
        "Get-Content",
        "Write-Output",
        "Write-Host",
        "Start-Process",
        "Stop-Service",
        "Start-Service",
        "Set-Service",
        "Restart-Service",
        "New-Item",
        "Invoke-WebRequest",
        "Invoke-RestMethod",
        "Start-BitsTransfer",
        "Start-Sleep",
        "Restart-Computer",
        "Read-Host",
        "Get-Credential",
        "Install-Module",
        "Install-PackageProvider",
        "Install-Script",
        "Uninstall-Module",
        "Update-Module",
        "Set-PSRepository",
        "New-NetFirewallRule",
        "Set-NetFirewallRule",
        "Set-NetFirewallProfile",
        "Disable-NetFirewallRule",
        "Remove-NetFirewallRule",
        "Disable-PSRemoting",
        "Enable-PSRemoting",
        "Invoke-Command",
        "Invoke-Expression",
        "ConvertTo-SecureString",
        "Expand-Archive",
        "Get-ChildItem",
        "Set-Location",
        "Push-Location",
        "Pop-Location",
        "Import-Module",
        "New-Object",
        "Stop-Process",
        "Get-Service",
        "Set-ItemProperty",
        "New-ItemProperty",
        "Add-WindowsCapability",
        "Install-WindowsFeature",
        "Enable-WindowsOptionalFeature",
    ]
}
# Switch parameters (take no value), so the next element is positional, not their value.
SWITCHES = {
    "force", "recurse", "wait", "usebasicparsing", "passthru", "allowclobber", "skippublishercheck", "nonewwindow",
    "verbose", "asplaintext", "whatif", "confirm", "allowprerelease", "acceptlicense", "noprofile", "noninteractive",
    "debug", "includeallsubfeature", "includemanagementtools", "restart", "norestart", "append",
    "nonewline", "quiet", "online", "all", "enabled", "raw", "skipnetworkprofilecheck", "disablenamechecking",
}  # fmt: skip


@dataclass(slots=True)
class PsArg:
    raw: str
    start: int
    end: int
    value: str | None  # a literal's value (quotes removed), else None
    items: list[PsArg] = field(default_factory=list)  # an array literal's elements

    @property
    def text(self) -> str:
        return self.value if self.value is not None else self.raw


# Parameter aliases (Get-Command X).Parameters[...].Aliases in Windows PowerShell 5.1, lower-case:
# `Start-Process msiexec -Args "/i x.msi /qn"` passes the ArgumentList.
_PARAMETER_ALIASES = {
    "start-process": {
        "args": "argumentlist",
        "path": "filepath",
        "pspath": "filepath",
        "lup": "loaduserprofile",
        "nnw": "nonewwindow",
        "runas": "credential",
    },
    "remove-item": {"pspath": "literalpath", "lp": "literalpath"},
    "set-service": {"startmode": "startuptype", "sm": "startuptype", "st": "startuptype", "servicename": "name", "sn": "name"},
    "stop-service": {"servicename": "name"},
    "restart-service": {"servicename": "name"},
}
# Aliases every cmdlet has (about_CommonParameters).
_COMMON_PARAMETER_ALIASES = {"cf": "confirm", "wi": "whatif", "ea": "erroraction", "vb": "verbose", "db": "debug"}


@dataclass(slots=True)
class PsCommand:
    name: str  # cmdlet as canonically written, or a native program's base name in lower case
    written: str  # the name as written
    start: int
    end: int
    parameters: list[tuple[str, PsArg | None, PsArg]]  # (name without '-', value or None, the parameter token)
    positionals: list[PsArg]
    native: bool
    via: tuple[str, ...] = ()
    piped_from: PsCommand | None = None
    index: int = 0
    redirect_target: str | None = None  # `> file`

    def _match(self, name: str) -> list[tuple[str, PsArg | None, PsArg]]:
        wanted = name.lower()
        aliases = _PARAMETER_ALIASES.get(self.name.lower(), {})
        found = []
        for written, value, token in self.parameters:
            lowered = written.lower()
            lowered = aliases.get(lowered) or _COMMON_PARAMETER_ALIASES.get(lowered) or lowered
            if lowered == wanted or (len(lowered) >= 2 and wanted.startswith(lowered)):
                found.append((written, value, token))
        return found

    def has(self, *names: str) -> bool:
        """A named parameter is given (unique-prefix matching; ``-Force:$false`` is not)."""
        for name in names:
            for _, value, _ in self._match(name):
                if value is not None and value.raw.lower() == "$false":
                    continue
                return True
        return False

    def value(self, *names: str) -> PsArg | None:
        for name in names:
            for _, value, _ in self._match(name):
                if value is not None:
                    return value
        return None

    def value_text(self, name: str, default: str = "") -> str:
        """The lower-cased text of a parameter's value, or ``default`` when it is not given."""
        value = self.value(name)
        return value.text.lower() if value is not None else default

    def words(self) -> list[str]:
        """Every argument's text, for native programs (msiexec /i x.msi /qn)."""
        out: list[str] = []
        for written, value, _ in self.parameters:
            out.append("-" + written)
            if value is not None:
                out.extend(i.text for i in value.items) if value.items else out.append(value.text)
        for arg in self.positionals:
            out.extend(i.text for i in arg.items) if arg.items else out.append(arg.text)
        return out

    def native_switches(self) -> set[str]:
        return {w.lower() for w in self.words() if w.startswith(("/", "-"))}


@dataclass
class PsModel:
    text: str
    commands: list[PsCommand] = field(default_factory=list)
    comments: list[PsComment] = field(default_factory=list)
    assignments: list[tuple[str, str | None, int, int]] = field(default_factory=list)  # $name, literal value, span
    method_calls: list[tuple[str, list[PsArg], int, int]] = field(default_factory=list)  # member, args, span
    strings: list[PsArg] = field(default_factory=list)  # every string literal (for content checks)
    # What is worked out from the text alone (script facts): kept with the model, so a model
    # shared by identical scripts (aiblint/scripts/models.py) brings it along
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_pwsh

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_pwsh.language()))


def canonical(name: str) -> tuple[str, bool]:
    """(canonical name, native?) for a command name as written."""
    base = re.split(r"[\\/]", name)[-1]
    lowered = base.lower()
    if lowered in ALIASES:
        return ALIASES[lowered], False
    if lowered in CMDLETS:
        return CMDLETS[lowered], False
    if (
        "-" in base
        and not lowered.endswith((".exe", ".cmd", ".bat", ".ps1", ".msi"))
        and re.match(r"^[A-Za-z]+-[A-Za-z0-9]+$", base)
    ):
        return base, False
    if lowered in ("pause", "mkdir"):
        return lowered, False
    for suffix in (".exe", ".com", ".cmd", ".bat"):
        if lowered.endswith(suffix):
            lowered = lowered[: -len(suffix)]
    return lowered, True


class _Region:
    def __init__(self, text: str, chars: CharOffsets, offset: Any) -> None:
        self.text = text
        self.chars = chars
        self.offset = offset  # local char offset -> script offset

    def span(self, node: Any) -> tuple[int, int]:
        return self.offset(self.chars.char(node.start_byte)), self.offset(self.chars.char(node.end_byte))

    def node_text(self, node: Any) -> str:
        return self.text[self.chars.char(node.start_byte) : self.chars.char(node.end_byte)]

    def local(self, node: Any) -> int:
        return self.chars.char(node.start_byte)


def _string_value(raw: str) -> str | None:
    if len(raw) >= 2 and raw[0] == "'" and raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        inner = raw[1:-1]
        if re.search(r"\$[\w{(]", inner):
            return None
        return re.sub(r"`(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(m.group(1), m.group(1)), inner).replace(
            '""', '"'
        )
    if raw.startswith(("@'", '@"')):
        body = raw[2:-2].strip("\r\n")
        return body if raw.startswith("@'") or not re.search(r"\$[\w{(]", body) else None
    return None


class _Walker:
    def __init__(self, model: PsModel) -> None:
        self.model = model
        self.hashtables: dict[str, list[tuple[str, PsArg]]] = {}

    def walk_text(self, text: str, offset: Any, via: tuple[str, ...], top: bool) -> None:
        chars = CharOffsets(text)
        tree = _parser().parse(chars.data)
        region = _Region(text, chars, offset)
        if top:
            self.model.comments = find_comments(tree.root_node, chars.data, text, region.local, region.span, region.node_text)
        self.walk(tree.root_node, region, via)

    def walk(self, node: Any, region: _Region, via: tuple[str, ...], piped: PsCommand | None = None) -> None:
        kind = node.type
        if kind == "command":
            self._command(node, region, via, piped)
            return
        if kind in ("pipeline", "pipeline_chain"):
            # each element reads the output of the one before it
            previous: PsCommand | None = piped if kind == "pipeline_chain" else None
            for child in node.named_children:
                before = len(self.model.commands)
                self.walk(child, region, via, previous)
                if len(self.model.commands) > before:
                    previous = self.model.commands[before]
            return
        if kind == "assignment_expression":
            self._assignment(node, region)
        if kind == "invokation_expression" or kind == "invocation_expression":
            self._method_call(node, region)
        if kind == "string_literal":
            start, end = region.span(node)
            raw = region.node_text(node)
            self.model.strings.append(PsArg(raw, start, end, _string_value(raw)))
        for child in node.named_children:
            self.walk(child, region, via, None)

    def _assignment(self, node: Any, region: _Region) -> None:
        left = node.named_children[0] if node.named_children else None
        value = node.named_children[-1] if len(node.named_children) > 1 else None
        if left is None or value is None:
            return
        name = region.node_text(left).strip()
        if not name.startswith("$"):
            return
        start, end = region.span(node)
        hashtable = _find(value, "hash_literal_expression")
        if hashtable is not None and _only_child_chain(value, hashtable):
            self.hashtables[name[1:].lower()] = self._hash_entries(hashtable, region)
        literal = _find(value, "string_literal")
        text = region.node_text(value).strip()
        literal_value = (
            _string_value(region.node_text(literal))
            if literal is not None and region.node_text(literal).strip() == text
            else None
        )
        self.model.assignments.append((name, literal_value, start, end))

    def _hash_entries(self, node: Any, region: _Region) -> list[tuple[str, PsArg]]:
        entries = []
        for entry in _descendants(node, "hash_entry"):
            key = entry.named_children[0] if entry.named_children else None
            value = entry.named_children[-1] if len(entry.named_children) > 1 else None
            if key is None or value is None:
                continue
            start, end = region.span(value)
            raw = region.node_text(value).strip()
            literal = _find(value, "string_literal")
            text = (
                _string_value(region.node_text(literal))
                if literal is not None and region.node_text(literal).strip() == raw
                else None
            )
            entries.append(
                (region.node_text(key).strip().strip("'\""), PsArg(raw, start, end, text if text is not None else raw))
            )
        return entries

    def _method_call(self, node: Any, region: _Region) -> None:
        text = region.node_text(node)
        match = re.search(r"\.(\w+)\s*\(", text)
        if not match:
            return
        args = []
        for literal in _descendants(node, "string_literal"):
            start, end = region.span(literal)
            raw = region.node_text(literal)
            args.append(PsArg(raw, start, end, _string_value(raw)))
        start, end = region.span(node)
        args.sort(key=lambda arg: arg.start)
        self.model.method_calls.append((match.group(1), args, start, end))

    def _element(self, node: Any, region: _Region) -> PsArg:
        start, end = region.span(node)
        raw = region.node_text(node)
        value: str | None
        if node.type == "generic_token":
            value = raw if "$" not in raw else None
        else:
            literal = _find(node, "string_literal") if "'" in raw or '"' in raw else None
            value = (
                _string_value(region.node_text(literal))
                if literal is not None and region.node_text(literal) == raw.strip()
                else None
            )
            if value is None and re.fullmatch(r"-?\d+", raw.strip()):
                value = raw.strip()
        arg = PsArg(raw, start, end, value)
        array = _find(node, "array_literal_expression") if "," in raw else None
        if array is not None and region.node_text(array).strip() == raw.strip():
            for item in array.named_children:
                arg.items.append(self._element(item, region))
        return arg

    def _command(self, node: Any, region: _Region, via: tuple[str, ...], piped: PsCommand | None) -> None:
        name_node = None
        elements_node = None
        for child in node.named_children:
            if child.type == "command_name" or child.type == "command_name_expr":
                name_node = child
            elif child.type == "command_elements":
                elements_node = child
        if name_node is None:
            return
        written = region.node_text(name_node).strip()
        literal = _find(name_node, "string_literal") if "'" in written or '"' in written else None
        if literal is not None:
            written = _string_value(region.node_text(literal)) or written
        start, _ = region.span(name_node)
        _, end = region.span(node)
        parameters: list[tuple[str, PsArg | None, PsArg]] = []
        positionals: list[PsArg] = []
        elements = [
            c
            for c in (elements_node.named_children if elements_node is not None else [])
            if c.type != "command_argument_sep" and c.type != "comment"
        ]
        colon_joined = set()
        if elements_node is not None:
            children = list(elements_node.children)
            for index, child in enumerate(children):
                if child.type == "command_argument_sep" and region.node_text(child).startswith(":"):
                    colon_joined.add(index)
        redirect = None
        i = 0
        all_children = list(elements_node.children) if elements_node is not None else []
        while i < len(elements):
            element = elements[i]
            if element.type == "redirection":
                target = element.named_children[-1] if element.named_children else None
                redirect = region.node_text(target).strip().strip("'\"") if target is not None else None
                i += 1
                continue
            if element.type == "command_parameter":
                token = self._element(element, region)
                pname = token.raw.lstrip("-").rstrip(":")
                value = None
                position = all_children.index(element) if element in all_children else -1
                joined = position + 1 in colon_joined or token.raw.endswith(":")
                takes_value = joined or (
                    pname.lower() not in SWITCHES and not any(s.startswith(pname.lower()) and len(pname) >= 2 for s in SWITCHES)
                )
                if takes_value and i + 1 < len(elements) and elements[i + 1].type != "command_parameter":
                    value = self._element(elements[i + 1], region)
                    i += 1
                parameters.append((pname, value, token))
            elif (
                element.type == "unary_expression"
                and region.node_text(element).startswith("@")
                and region.node_text(element)[1:].isidentifier()
            ):
                for key, arg in self.hashtables.get(region.node_text(element)[1:].lower(), []):
                    parameters.append((key, arg, arg))
            else:
                positionals.append(self._element(element, region))
            i += 1
        name, native = canonical(written)
        command = PsCommand(
            name, written, start, end, parameters, positionals, native, via, piped, len(self.model.commands), redirect
        )
        self.model.commands.append(command)
        for element in elements:  # script blocks and sub-expressions in arguments run too
            for inner in ("script_block", "sub_expression"):
                for block in _descendants(element, inner):
                    self.walk(block, region, via)
        self._nested(command, region, via)

    def _nested(self, command: PsCommand, region: _Region, via: tuple[str, ...]) -> None:
        """Commands inside strings: cmd /c, powershell -Command, Start-Process."""
        name = command.name
        if name == "cmd":
            args = command.positionals
            for index, arg in enumerate(args):
                if arg.text.lower() in ("/c", "/k") and index + 1 < len(args):
                    rest = args[index + 1 :]
                    if len(rest) == 1 and rest[0].value is not None and rest[0].raw[:1] in "'\"":
                        self._native_line(rest[0].value, rest[0].start + 1, (*via, "cmd /c"), command)
                    else:
                        self._native_words(rest, (*via, "cmd /c"), command)
                    return
        if name in ("powershell", "pwsh"):
            script = command.value("Command", "c")
            if script is not None and script.value is not None and script.raw[:1] in "'\"":
                base = script.start + 1
                self.walk_text(script.value, lambda offset: base + offset, (*via, f"{name} -Command"), top=False)
            return
        if name == "Start-Process":
            target = command.value("FilePath") or (command.positionals[0] if command.positionals else None)
            if target is None or target.value is None:
                return
            arguments = command.value("ArgumentList")
            words: list[PsArg] = []
            if arguments is not None:
                if arguments.items:
                    words = arguments.items
                elif arguments.value is not None:
                    words = [PsArg(w, arguments.start, arguments.end, w) for w in _split(arguments.value)]
                elif len(arguments.raw) >= 2 and arguments.raw[0] == '"' and arguments.raw[-1] == '"':
                    # "/i `"$msi`" /qn": the literal words still say what they say
                    words = [
                        PsArg(w, arguments.start, arguments.end, None if "$" in w else w)
                        for w in _split(arguments.raw[1:-1].replace('`"', '"'))
                    ]
                else:
                    words = [arguments]
            program, native = canonical(target.value)
            params, positionals = _native_parameters(words)
            inner = PsCommand(
                program,
                target.value,
                command.start,
                command.end,
                params,
                positionals,
                native,
                (*via, "Start-Process"),
                None,
                len(self.model.commands),
            )
            self.model.commands.append(inner)

    def _native_line(self, line: str, base: int, via: tuple[str, ...], outer: PsCommand) -> None:
        for part in re.split(r"&&|\|\||&|\|", line):
            words = _split(part)
            if not words:
                continue
            offset = base + line.find(part.strip())
            args = [PsArg(w, offset, offset + len(part.strip()), w) for w in words[1:]]
            program, native = canonical(words[0])
            params, positionals = _native_parameters(args)
            end = offset + len(part.strip())
            self.model.commands.append(
                PsCommand(program, words[0], offset, end, params, positionals, native, via, None, len(self.model.commands))
            )

    def _native_words(self, args: list[PsArg], via: tuple[str, ...], outer: PsCommand) -> None:
        if not args:
            return
        program, native = canonical(args[0].text)
        params, positionals = _native_parameters(args[1:])
        self.model.commands.append(
            PsCommand(
                program, args[0].text, args[0].start, outer.end, params, positionals, native, via, None, len(self.model.commands)
            )
        )


def _native_parameters(words: list[PsArg]) -> tuple[list[tuple[str, PsArg | None, PsArg]], list[PsArg]]:
    """Arguments of a program started from a string: `-x` words become parameters."""
    params: list[tuple[str, PsArg | None, PsArg]] = []
    positionals: list[PsArg] = []
    for word in words:
        if word.text.startswith("-") and len(word.text) > 1 and not word.text[1:].isdigit():
            params.append((word.text[1:], None, word))
        else:
            positionals.append(word)
    return params, positionals


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=False)
    except ValueError:
        return text.split()


def _find(node: Any, kind: str) -> Any:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            return current
        stack.extend(reversed(current.children))
    return None


def _descendants(node: Any, kind: str) -> list[Any]:
    found = []
    stack = list(node.children)
    while stack:
        current = stack.pop()
        if current.type == kind:
            found.append(current)
        else:
            stack.extend(current.children)
    return found


def _only_child_chain(node: Any, target: Any) -> bool:
    current = node
    while current is not None and current != target:
        named = current.named_children
        if len(named) != 1:
            return False
        current = named[0]
    return current == target


def analyse(text: str) -> PsModel:
    model = PsModel(text)
    with collection_paused():
        _Walker(model).walk_text(text, lambda offset: offset, (), top=True)
    return model
