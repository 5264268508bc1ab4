"""Write a fixture: the clean example template with one customizer's inline lines replaced.

    python tools/new_fixture.py fixtures/AIB401/sudo_chain.json shell 'sudo apt-get update && sudo apt-get install nginx'
    python tools/new_fixture.py fixtures/AIB501/read_host.json powershell '$x = Read-Host "name"'

Each further argument is one inline line. Review the fixture, then regenerate its snapshot
with `python tests/snapshot_tool.py --update` and read the .expected file before committing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASES = {"shell": ROOT / "examples" / "ubuntu-good.json", "powershell": ROOT / "examples" / "windows-good.json"}


def render(language: str, lines: list[str]) -> str:
    template = json.loads(BASES[language].read_text(encoding="utf-8"))
    customize = template["properties"]["customize"]
    customize[0]["inline"] = lines
    text = json.dumps(template, indent=2, ensure_ascii=False)
    return text + "\n"


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] not in BASES:
        print(__doc__)
        return 2
    target = Path(argv[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(argv[1], argv[2:]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
