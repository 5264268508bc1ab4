"""Turn the Bad and Good examples of a rule page (rules/CODE.md) into templates to lint.

An example is one fenced ```json block under ``## Bad`` or ``## Good``. Its shape says where
it goes in a clean base template (examples/ubuntu-good.json, or examples/windows-good.json
when the fragment is PowerShell or Windows-only):

- a whole document (``{ "type": "Microsoft.VirtualMachineImages/imageTemplates", ... }`` or
  an ARM deployment) is linted as it is;
- ``"inline": [...]`` replaces the lines of the base's script customizer;
- other ``"key": value`` members replace or add that key where the base has it (resource,
  ``properties``, ``vmProfile``, ``source``, the first distributor or customizer);
- ``{ "type": ... }`` is a customizer (appended), a distributor or a source (replaced);
  ``[{ ... }, ...]`` is the customize or distribute list.

``...`` stands for the rest of the base: ``"source": { ..., "sku": "x" }`` changes one key
of the base's source, ``"customize": [..., { ... }]`` appends to the base's customizers,
``"distribute": [{ ..., "k": 1 }]`` changes the base's first distributor.

A marker line right above the fence changes this:

- ``<!-- example: document -->``: the block is the whole file, linted as it is (rules about
  the JSON itself: syntax, comments, duplicate keys);
- ``<!-- example: arm -->``: the template is the resource of an ARM deployment (for rules
  that apply to ARM templates only: expressions, fixed names);
- ``<!-- example: illustration -->``: prose or a shape no template has; not run.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ILLUSTRATION = "<!-- example: illustration -->"
ARM = "<!-- example: arm -->"
DOCUMENT = "<!-- example: document -->"
ELIDED = "__elided__"
CUSTOMIZERS = {"shell", "powershell", "file", "windowsrestart", "windowsupdate"}
SOURCES = {"platformimage", "sharedimageversion"}
DISTRIBUTORS = {"sharedimage", "vhd"}  # ManagedImage is either: a runOutputName makes it a distributor
RESOURCE_KEYS = {"type", "apiVersion", "name", "location", "tags", "identity", "properties"}
PROPERTY_KEYS = {
    "buildTimeoutInMinutes", "vmProfile", "source", "customize", "distribute", "validate", "optimize",
    "stagingResourceGroup", "autoRun", "errorHandling", "managedResourceTags",
}  # fmt: skip
_WINDOWS = re.compile(r"PowerShell|Windows(Restart|Update)|MicrosoftWindows|\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b|[A-Z]:\\\\")


@dataclass
class Example:
    code: str
    kind: str  # "Bad" | "Good"
    text: str  # the block's content
    marker: str | None  # ILLUSTRATION, DOCUMENT, ARM or None

    @property
    def illustration(self) -> bool:
        return self.marker == ILLUSTRATION


def page_examples(path: Path) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    found: list[Example] = []
    for kind in ("Bad", "Good"):
        match = re.search(rf"^## {kind}\b[^\n]*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
        if match is None:
            continue
        for fence in re.finditer(r"(?:^(<!-- example: [^\n]*-->)\n)?^```(\w*)\n(.*?)^```", match.group(1), re.S | re.M):
            marker, language, body = fence.group(1), fence.group(2), fence.group(3)
            if language not in ("json", "jsonc"):
                continue
            found.append(Example(path.stem, kind, body, marker))
    return found


def _base(windows: bool) -> dict[str, Any]:
    name = "windows-good.json" if windows else "ubuntu-good.json"
    data: dict[str, Any] = json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))
    return data


def _kind(item: Any) -> str:
    if not isinstance(item, dict):
        return "unknown"
    kind = str(item.get("type", "")).lower()
    if kind in CUSTOMIZERS:
        return "customizer"
    if kind in DISTRIBUTORS or (kind == "managedimage" and "runOutputName" in item):
        return "distributor"
    if kind in SOURCES or kind == "managedimage":
        return "source"
    return "unknown"


def _find_owner(node: Any, key: str) -> dict[str, Any] | None:
    """The first object (depth first) of the base that has ``key``."""
    if isinstance(node, dict):
        if key in node:
            return node
        for value in node.values():
            found = _find_owner(value, key)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            found = _find_owner(value, key)
            if found is not None:
                return found
    return None


def _mark_elisions(text: str) -> str:
    """``...`` as a JSON element or member: a marker the merge below reads."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    in_string = False
    while i < len(text):
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[i + 1 : i + 2])
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("...", i):
            out.append(f'"{ELIDED}"' if stack and stack[-1] == "[" else f'"{ELIDED}": 0')
            i += 2
        else:
            if char in "[{":
                stack.append(char)
            elif char in "]}" and stack:
                stack.pop()
            out.append(char)
        i += 1
    return "".join(out)


def _merge(base: Any, value: Any) -> Any:
    """``value`` with its elisions filled from ``base``."""
    if isinstance(value, dict) and ELIDED in value:
        merged = copy.deepcopy(base) if isinstance(base, dict) else {}
        for key, member in value.items():
            if key != ELIDED:
                merged[key] = _merge(merged.get(key), member)
        return merged
    if isinstance(value, list) and ELIDED in value:
        kept = [item for item in value if item != ELIDED]
        return [*copy.deepcopy(base if isinstance(base, list) else []), *kept]
    if isinstance(value, list):  # [{ ..., "k": 1 }]: the base's item at that place, changed
        items = base if isinstance(base, list) else []
        return [_merge(items[i] if i < len(items) else None, item) for i, item in enumerate(value)]
    return value


def _script_step(template: dict[str, Any]) -> dict[str, Any]:
    steps = template["properties"]["customize"]
    return next(s for s in steps if str(s.get("type")).lower() in ("shell", "powershell"))  # type: ignore[no-any-return]


def _place_member(template: dict[str, Any], key: str, value: Any) -> None:
    properties = template["properties"]
    if key in RESOURCE_KEYS:
        template[key] = _merge(template.get(key), value)
    elif key in PROPERTY_KEYS:
        properties[key] = _merge(properties.get(key), value)
    elif key in ("inline", "scriptUri"):
        step = _script_step(template)
        step.pop("inline" if key == "scriptUri" else "scriptUri", None)
        step[key] = value
    else:
        owner = _find_owner(template, key)
        if owner is None:
            raise ValueError(f"no place for {key!r} in the base template")
        owner[key] = _merge(owner[key], value)


def _place_item(template: dict[str, Any], item: Any) -> None:
    properties = template["properties"]
    kind = _kind(item)
    if kind == "customizer":
        properties["customize"].append(item)
    elif kind == "distributor":
        properties["distribute"] = [item]
    elif kind == "source":
        properties["source"] = item
    else:
        raise ValueError(f"cannot tell where {item!r} goes")


def expand(example: Example) -> str:
    """The text of a template that holds the example (raises ValueError when it cannot)."""
    if example.marker == DOCUMENT:
        return example.text
    text = _mark_elisions(example.text.strip())
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict) and ELIDED not in value and ("properties" in value or "resources" in value or "$schema" in value):
        return example.text  # a whole document
    template = _base(bool(_WINDOWS.search(text)) or example.code.startswith("AIB5"))
    if value is None:
        try:
            members = json.loads("{" + text + "}")
        except ValueError as exc:
            raise ValueError(f"not JSON, not a JSON member list: {exc}") from None
        for key, member in members.items():
            if key != ELIDED:  # "key": value, ...: the rest of the base as it is
                _place_member(template, key, member)
    elif isinstance(value, list):
        kinds = {_kind(item) for item in value if item != ELIDED}
        if kinds == {"customizer"}:
            template["properties"]["customize"] = _merge(template["properties"]["customize"], value)
        elif kinds == {"distributor"}:
            template["properties"]["distribute"] = _merge(template["properties"]["distribute"], value)
        else:
            raise ValueError("a list of neither customizers nor distributors")
    else:
        _place_item(template, _merge(None, value))
    if example.marker == ARM:
        deployment = {
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {"suffix": {"type": "string", "defaultValue": "a"}},
            "resources": [template],
        }
        return json.dumps(deployment, indent=2)
    return json.dumps(template, indent=2)


def all_examples() -> list[Example]:
    return [e for path in sorted((ROOT / "rules").glob("AIB*.md")) for e in page_examples(path)]
