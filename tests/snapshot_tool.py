"""Render fixtures the way the tests compare them, and regenerate the snapshots.

    python tests/snapshot_tool.py            # show which snapshots differ
    python tests/snapshot_tool.py --update   # rewrite every fixtures/**/*.expected

Each fixture is linted as ``aiblint --quiet --no-color <fixture>`` would from the repo
root, with the config found upward from the fixture (fixtures/.aiblint.toml turns on
the opt-in rules), and the text output is the snapshot.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SUFFIXES = (".json", ".jsonc", ".sh", ".ps1")


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonc"))


def render(path: Path) -> str:
    from aiblint.config import ConfigCache
    from aiblint.lint import LintOptions, lint_bytes
    from aiblint.report import renderer

    relative = path.relative_to(ROOT).as_posix()
    config = ConfigCache().for_path(path)
    result = lint_bytes(path.read_bytes(), relative, config, path, LintOptions())
    return renderer("text")([result], quiet=True)


def expected_path(path: Path) -> Path:
    return path.with_suffix(".expected")


def main(argv: list[str]) -> int:
    update = "--update" in argv
    differing = 0
    for path in fixture_files():
        actual = render(path)
        target = expected_path(path)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != actual:
            differing += 1
            print(("updated " if update else "differs ") + str(target.relative_to(ROOT)))
            if update:
                target.write_text(actual, encoding="utf-8")
    print(f"{differing} snapshot(s) {'updated' if update else 'differ'}")
    return 0 if update or not differing else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
