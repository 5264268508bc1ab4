"""``script-roots``: from a ``scriptUri`` to a local file, never outside its folder.

The URL comes from the template (a pull request) and the folder from a config file in
the tree, so both are an attacker's. The rest of the URL after the prefix is decoded as a
server would (percent escapes) and must name a regular file that resolves, symlinks
followed, inside the mapped folder; the folder itself must lie inside the repository that
holds the config file. Anything else is a one-line note and no read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

MAX_SCRIPT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Mapped:
    path: Path  # resolved, inside its root
    text: str


@dataclass(frozen=True)
class Refused:
    note: str


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _allowed_root(folder: str, config_root: Path | None) -> Path | None:
    """The mapped folder, resolved, when it lies inside the config's repository."""
    from aiblint.repo import repository_root

    try:
        root = Path(folder).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if config_root is None:
        return root
    boundary = repository_root(config_root) or config_root
    return root if _inside(root, boundary.resolve()) else None


def map_uri(uri: str, roots: tuple[tuple[str, str], ...], config_root: Path | None) -> Mapped | Refused | None:
    """None: no prefix matches (the URL is left alone)."""
    for prefix, folder in sorted(roots, key=lambda r: -len(r[0])):
        if uri.startswith(prefix):
            found = _map_one(uri, prefix, folder, config_root)
            if found is not None:
                return found  # else: not in that folder, a shorter prefix may map it
    return None


def _map_one(uri: str, prefix: str, folder: str, config_root: Path | None) -> Mapped | Refused | None:
    shown = uri[:200]
    root = _allowed_root(folder, config_root)
    if root is None:
        return Refused(
            f"script-roots: the folder for {prefix[:200]} lies outside the repository of its config file: {shown} was not read"
        )
    remainder = unquote(uri[len(prefix) :].split("#", 1)[0].split("?", 1)[0], errors="surrogateescape")
    if not remainder or "\0" in remainder or remainder.startswith(("/", "\\")) or os.path.isabs(remainder):
        return Refused(f"script-roots: {shown} does not name a file under its mapped folder: not read")
    try:
        path = (root / remainder).resolve()
    except (OSError, RuntimeError, ValueError):
        return Refused(f"script-roots: {shown} cannot be resolved: not read")
    if not _inside(path, root):
        return Refused(f"script-roots: {shown} resolves outside its mapped folder: not read")
    return _read(path, shown)


def _read(path: Path, shown: str) -> Mapped | Refused | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None  # not in this checkout: left alone, as an unmapped URL
    except OSError as exc:
        return Refused(f"script-roots: {shown} cannot be read ({exc.strerror or 'error'}): not read")
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return Refused(f"script-roots: {shown} is not a regular file: not read")
        data = handle.read(MAX_SCRIPT_BYTES + 1)
    if len(data) > MAX_SCRIPT_BYTES:
        return Refused(f"script-roots: {shown} is larger than {MAX_SCRIPT_BYTES // (1024 * 1024)} MB: not read")
    return Mapped(path, data.decode("utf-8-sig", errors="replace"))
