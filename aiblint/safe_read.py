"""Reading a file named by an attacker: regular files only, never more than a limit.

A path in a pull request can be a symlink to /dev/zero, a FIFO that never answers, a
symlink loop or a link to nothing. `read_limited` opens without blocking, checks what it
opened is a regular file, and stops reading one byte past the limit, so the size check
holds even for a file that grows or lies about its size. Used by the CLI (files, stdin,
--baseline) and meant for every other reader of user files (diagnose, the language server).
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

MAX_FILE_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


class ReadError(Exception):
    """One line saying why the file was not read (no path in it: the caller adds it)."""


def read_limited(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    limit = MAX_FILE_BYTES if limit is None else limit
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ReadError(_reason(path, exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(f"not a regular file ({_kind(info.st_mode)}): not read")
        if info.st_size > limit:
            raise ReadError(too_large(info.st_size, limit))
        return _read_fd(fd, limit)
    except OSError as exc:
        raise ReadError(_reason(path, exc)) from None
    finally:
        os.close(fd)


def read_stream_limited(stream: BinaryIO, limit: int | None = None) -> bytes:
    """stdin and the like: at most `limit` bytes, else ReadError (never a silent cut)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise ReadError(too_large(None, limit))


def too_large(size: int | None, limit: int) -> str:
    said = f"{size // (1024 * 1024)} MB; " if size is not None else ""
    return f"file too large ({said}the limit is {limit // (1024 * 1024)} MB)"


def _read_fd(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:  # grew while being read, or st_size lied (procfs, FUSE)
            raise ReadError(too_large(None, limit))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _reason(path: str | os.PathLike[str], exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: not read"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return "dangling symbolic link (its target does not exist): not read"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    return exc.strerror or type(exc).__name__
