"""Set the package version from a release tag: ``python tools/set_version.py v1.2.3``.

The release workflow runs it on the tag it was started by, so the version published is
the tag's, with no edit to commit first. ``aiblint/__init__.py`` is the one place the
version lives (pyproject.toml reads it through ``[tool.hatch.version]``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

INIT = Path(__file__).resolve().parent.parent / "aiblint" / "__init__.py"
# PEP 440 public versions: 1.2.3, 1.2.3rc1, 1.2.3.post1, 1.2.3.dev4
_VERSION = re.compile(r"\d+(\.\d+){1,3}((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?")


def version_from_tag(tag: str) -> str:
    version = tag.removeprefix("refs/tags/").removeprefix("v")
    if not _VERSION.fullmatch(version):
        raise SystemExit(f"set_version: {tag!r} is not a release tag (v1.2.3, v1.2.3rc1, ...)")
    return version


def set_version(tag: str, init: Path = INIT) -> str:
    version = version_from_tag(tag)
    text = init.read_text(encoding="utf-8")
    updated, count = re.subn(r'^__version__ = "[^"]*"$', f'__version__ = "{version}"', text, flags=re.M)
    if count != 1:
        raise SystemExit(f"set_version: no single __version__ line in {init}")
    init.write_text(updated, encoding="utf-8")
    return version


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python tools/set_version.py TAG")
    print(set_version(sys.argv[1]))
