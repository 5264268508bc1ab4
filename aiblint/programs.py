"""The only programs aiblint runs (a system shell's ``-n`` syntax check, ShellCheck), found
so that none can come from the repository being linted.

``shutil.which`` honours an empty or ``.`` PATH entry, which means the current folder: a
``./dash`` committed to the repository would run. As Go's os/exec does, only absolute PATH
entries count here, and neither an entry nor the program it leads to (symlinks followed)
may lie inside a linted tree; the fixed system folders are the fallback.
"""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_FOLDERS = ("/usr/bin", "/bin", "/usr/local/bin")
_linted_trees: list[Path] = []


def distrust_trees(paths: list[str]) -> None:
    """Record the trees a run lints (each path's repository root, else the path itself)."""
    from aiblint.repo import repository_root

    for given in paths:
        path = Path.cwd() if given in ("-", "") else Path(given)
        try:
            folder = path.resolve()
            if not folder.is_dir():
                folder = folder.parent
        except (OSError, RuntimeError, ValueError):
            continue
        _linted_trees.append(repository_root(folder) or folder)


def _trees() -> list[Path]:
    if _linted_trees:
        return _linted_trees
    from aiblint.repo import repository_root

    cwd = Path.cwd().resolve()  # nothing recorded (a library call, the language server): the current tree
    return [repository_root(cwd) or cwd]


def _inside(path: Path, trees: list[Path]) -> bool:
    return any(path == tree or tree in path.parents for tree in trees)


def find(name: str) -> str | None:
    """The absolute path of program ``name``, or None."""
    trees = _trees()
    entries = [e for e in os.environ.get("PATH", "").split(os.pathsep) if e and os.path.isabs(e)]
    for entry in [*entries, *SYSTEM_FOLDERS]:
        candidate = Path(entry) / name
        try:
            folder = Path(entry).resolve()
            target = candidate.resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            continue
        if _inside(folder, trees) or _inside(target, trees):
            continue
        if target.is_file() and os.access(target, os.X_OK):
            return str(candidate)  # as named: bash run as sh keeps its POSIX mode
    return None
