"""Compare AIB400's lexer with a real shell on the scripts installed on this machine.

    python tools/lexer_vs_shell.py                 # #!/bin/sh scripts, checked with dash -n
    python tools/lexer_vs_shell.py --bash          # #!/bin/bash scripts, checked with bash -n
    python tools/lexer_vs_shell.py DIR [DIR ...]   # other folders (default: /usr /etc /bin /sbin)

Prints every disagreement: a false alarm (the lexer reports an error, the shell parses the
script) is a bug to fix; a miss is worth a look. `-n` only parses: nothing is run. bash-only
syntax in an sh script (`function f {`) is a miss by design: AIB404 reports it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiblint.scripts.shell_syntax import check

SHEBANGS = {
    "sh": (b"#!/bin/sh", b"#! /bin/sh", b"#!/usr/bin/env sh"),
    "bash": (b"#!/bin/bash", b"#! /bin/bash", b"#!/usr/bin/env bash"),
}


def scripts(roots: list[str], shebangs: tuple[bytes, ...]) -> list[Path]:
    found = []
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder, name)
                try:
                    if path.is_symlink() or path.stat().st_size > 300_000:
                        continue
                    with path.open("rb") as handle:
                        if handle.read(64).startswith(shebangs):
                            found.append(path)
                except OSError:
                    continue
    return found


def main(argv: list[str]) -> int:
    dialect = "bash" if "--bash" in argv else "sh"
    roots = [a for a in argv if not a.startswith("--")] or ["/usr", "/etc", "/bin", "/sbin"]
    shell = shutil.which("bash" if dialect == "bash" else "dash") or shutil.which("sh")
    if shell is None:
        print("no shell to compare with", file=sys.stderr)
        return 2
    alarms = misses = 0
    found = scripts(roots, SHEBANGS[dialect])
    for path in found:
        problem = check(path.read_text(encoding="utf-8", errors="replace"))
        lexer_error = problem is not None and not problem.sh_accepts
        shell_error = subprocess.run([shell, "-n", str(path)], capture_output=True, timeout=10).returncode != 0
        if lexer_error and not shell_error:
            alarms += 1
            print(f"false alarm  {path}: {problem.message} (offset {problem.offset})")  # type: ignore[union-attr]
        elif shell_error and not lexer_error:
            misses += 1
            print(f"miss         {path}")
    print(f"{len(found)} {dialect} scripts: {alarms} false alarms, {misses} misses")
    return 1 if alarms else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
