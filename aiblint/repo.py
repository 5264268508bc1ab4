"""Where a repository starts: the folder holding ``.git`` (a folder, or a file in a
worktree or submodule). Config lookup stops there and SARIF URIs are relative to it."""

from __future__ import annotations

from pathlib import Path


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, OSError, KeyError):
        return None


def _cwd() -> Path | None:
    try:
        return Path.cwd().resolve()
    except OSError:
        return None


def search_folders(start: Path) -> list[Path]:
    """``start``'s folder and its parents, up to and including the repository root (the
    nearest folder holding ``.git``) or else the user's home; outside both, up to the
    current folder when ``start`` is under it, else the folder alone. Never the file
    system root: a file in /tmp or / never configures a lint."""
    folder = start if start.is_dir() else start.parent
    try:
        folder = folder.resolve()
    except (OSError, RuntimeError, ValueError):
        return []
    home = _home()
    chain: list[Path] = []
    for candidate in (folder, *folder.parents):
        if candidate.parent == candidate and not _holds_git(candidate):
            break  # the file system root is never a config's home (cwd = / in a container)
        chain.append(candidate)
        if _holds_git(candidate) or candidate == home:
            return chain
    cwd = _cwd()
    if cwd is not None and cwd in chain:
        return chain[: chain.index(cwd) + 1]
    return [folder]


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git``, or None."""
    for candidate in search_folders(start):
        if _holds_git(candidate):
            return candidate
    return None


def _holds_git(folder: Path) -> bool:
    try:
        return (folder / ".git").exists()
    except OSError:
        return False
