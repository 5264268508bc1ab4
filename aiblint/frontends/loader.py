"""Files a template loads (``loadTextContent``, ``file()``, local modules), read safely.

Every path is resolved relative to the file that names it and must stay inside the
repository (the nearest folder above the linted file holding ``.git``; without one, the
linted file's own folder). Reads are bounded in size and count; nothing is run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiblint.jsontree import LineIndex, decode_bytes
from aiblint.safe_read import ReadError, read_limited

MAX_LOADED_BYTES = 4 * 1024 * 1024  # one loaded file
MAX_LOADED_FILES = 200  # per linted file


class LoadError(Exception):
    """A loaded file that cannot be read: the value it defines stays unknown, with a note."""


@dataclass
class LoadedFile:
    display: str  # as shown to the user, relative like the linted file's own name
    path: Path
    text: str


def repository_root(path: Path) -> Path:
    return _root_of(str(path.parent))


@lru_cache(maxsize=256)
def _root_of(folder_name: str) -> Path:
    """Cached per folder: a folder run lints many files under one root."""
    folder = Path(folder_name).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


@dataclass
class Loader:
    """Reads the files one linted file refers to, each once."""

    root: Path | None  # None: the text came from stdin or an editor buffer without a path
    files: dict[Path, LoadedFile] = field(default_factory=dict)
    lines: dict[str, LineIndex] = field(default_factory=dict)
    _folders: dict[Path, Path] = field(default_factory=dict)
    parsed: dict[Path, Any] = field(default_factory=dict)  # a front end's parse of a loaded file, reused

    @classmethod
    def for_file(cls, path: Path | None) -> Loader:
        return cls(repository_root(path) if path is not None else None)

    def load(self, relative: str, base_path: Path | None, base_display: str) -> LoadedFile:
        """``relative`` as written in the file at ``base_path`` (shown as ``base_display``)."""
        if self.root is None or base_path is None:
            raise LoadError(f"'{relative}' not followed: the file has no location on disk")
        if "://" in relative or relative.startswith(("br:", "br/", "ts:", "ts/")):
            raise LoadError(f"'{relative}' not followed: not a local file")
        folder = self._folders.get(base_path)
        if folder is None:
            folder = self._folders[base_path] = base_path.resolve().parent
        target = (folder / relative).resolve()
        if not target.is_relative_to(self.root):
            raise LoadError(f"'{relative}' not followed: outside the repository")
        if target in self.files:
            return self.files[target]
        if len(self.files) >= MAX_LOADED_FILES:
            raise LoadError(f"'{relative}' not followed: more than {MAX_LOADED_FILES} files loaded")
        try:
            # a regular file only, opened without blocking: a FIFO or a device never hangs the lint
            text = decode_bytes(read_limited(target, MAX_LOADED_BYTES))
        except ReadError as exc:
            if "too large" in str(exc):
                raise LoadError(f"'{relative}' not followed: larger than {MAX_LOADED_BYTES // (1024 * 1024)} MB") from None
            raise LoadError(f"'{relative}' not followed: {exc}") from None
        except UnicodeDecodeError:
            raise LoadError(f"'{relative}' not followed: not UTF-8 text") from None
        text = text.lstrip("\ufeff")
        display = os.path.normpath(os.path.join(os.path.dirname(base_display), relative))
        loaded = LoadedFile(display, target, text)
        self.files[target] = loaded
        self.lines[display] = LineIndex(text)
        return loaded
