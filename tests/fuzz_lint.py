"""Fuzz target: `python tests/fuzz_lint.py` with atheris installed (pip install atheris).

The property under test: any bytes give findings or AIB001, never an exception.
"""

from __future__ import annotations

import sys

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_bytes

CONFIG = Config()


def one_input(data: bytes) -> None:
    lint_bytes(data, "fuzz.json", CONFIG, None, LintOptions())


def main() -> None:
    import atheris

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
