"""Write the JSON Schema of aiblint's configuration from its pydantic model (tools/data_models.py).

    python tools/generate_config_schema.py           # rewrite schemas/config/aiblint-config.schema.json
    python tools/generate_config_schema.py --check   # exit 1 if the shipped file is stale (CI)

Editors that validate TOML against a JSON Schema (Taplo, Even Better TOML) can use it for
.aiblint.toml and for the [tool.aiblint] table of pyproject.toml.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.data_models import config_json_schema

OUT = Path(__file__).resolve().parent.parent / "schemas" / "config" / "aiblint-config.schema.json"


def rendered() -> str:
    return json.dumps(config_json_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = rendered()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.is_file() else None
        if current != text:
            print(f"{OUT.relative_to(OUT.parents[2])} is stale: run python tools/generate_config_schema.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
