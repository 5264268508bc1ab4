"""ARM deployment parameter files: the values a deployment is given.

Found as ``--parameters FILE`` (config ``parameters``), else beside the template:
``<name>.parameters.json`` for ``<name>.json``, and ``azuredeploy.parameters.json`` /
``parameters.json`` beside an ``azuredeploy.json`` / ``template.json``. The format is
Microsoft's deploymentParameters schema: ``{"parameters": {"name": {"value": ...}}}``;
a ``reference`` (Key Vault) value is unknown. Values are literal (ARM does not evaluate
expressions in a parameter file); their strings keep positions in the parameter file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiblint.jsontree import JsonSyntaxError, LineIndex, ObjectNode, decode_bytes, parse
from aiblint.safe_read import ReadError, read_limited

MAX_PARAMETER_FILE_BYTES = 4 * 1024 * 1024


@dataclass
class ParameterFile:
    display: str
    lines: LineIndex
    values: dict[str, Any] = field(default_factory=dict)  # lower-cased name -> value


def _sibling(path: Path) -> Path | None:
    name = path.name.lower()
    if not name.endswith(".json") or name.endswith(".parameters.json"):
        return None
    candidates = [path.with_name(path.name[: -len(".json")] + ".parameters.json")]
    if name in ("azuredeploy.json", "template.json"):
        candidates += [path.with_name("azuredeploy.parameters.json"), path.with_name("parameters.json")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def find_parameter_file(path: Path | None, explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    return _sibling(path) if path is not None else None


def load_parameter_file(path: Path, display: str) -> ParameterFile | str:
    """The values, or a one-line reason the file cannot be used."""
    from aiblint.armeval import Scope

    try:
        data = read_limited(path, MAX_PARAMETER_FILE_BYTES)  # regular files only, never blocks
    except ReadError as exc:
        if "too large" in str(exc):
            return f"{display}: larger than {MAX_PARAMETER_FILE_BYTES // (1024 * 1024)} MB: parameter file ignored"
        if "not a regular file" in str(exc):
            return f"{display}: not a regular file: parameter file ignored"
        return f"{display}: cannot read the parameter file ({exc}): its values are not used"
    try:
        text = decode_bytes(data)
        document = parse(text)
    except (OSError, UnicodeDecodeError, JsonSyntaxError, RecursionError) as exc:
        reason = getattr(exc, "message", None) or getattr(exc, "strerror", None) or type(exc).__name__
        return f"{display}: cannot read the parameter file ({reason}): its values are not used"
    result = ParameterFile(display, document.lines)
    root = document.root
    params = root.get_ci("parameters") if isinstance(root, ObjectNode) else None
    if not isinstance(params, ObjectNode):
        return f"{display}: no 'parameters' object: not an ARM parameter file, its values are not used"
    reader = Scope(None)
    for member in params.members:
        entry = member.value
        if isinstance(entry, ObjectNode) and entry.get_ci("value") is not None:
            result.values[member.key.text.lower()] = reader.node_value(entry.get_ci("value"), {}, display)
    return result
