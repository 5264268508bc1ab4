"""Folder mode's cheap first look: could these bytes hold an image template at all?

`aiblint .` meets package-lock.json, tsconfig.json and data files. Parsing them costs
time (12 MB of package-lock.json: 2.6 s) and reports findings nobody asked for. A file is
parsed only when its bytes mention Microsoft.VirtualMachineImages or carry the keys of
a bare template (`properties` with `source`, `customize` or `distribute`), the test that
aiblint.locate applies to the parsed tree. One case-insensitive scan, no parse.
"""

from __future__ import annotations

_MARKER = b"microsoft.virtualmachineimages"
_SHAPE_KEYS = (b'"source"', b'"customize"', b'"distribute"')


def might_hold_template(data: bytes) -> bool:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return True  # UTF-16: the byte scan below cannot see its text; let the parser decide
    lowered = data.lower()
    if _MARKER in lowered:
        return True
    return b'"properties"' in lowered and any(key in lowered for key in _SHAPE_KEYS)
