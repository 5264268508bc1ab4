"""Start-up budget: heavy modules load only when the files at hand need them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "jsonschema",
    "referencing",
    "tree_sitter",
    "tree_sitter_bash",
    "tree_sitter_pwsh",
    "pygls",
    "lsprotocol",
    "pydantic",
)


def _imported(args: list[str], top_level: bool = True) -> set[str]:
    code = (
        "import sys, json\n"
        "from aiblint.cli import main\n"
        f"main({args!r})\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    return {m.split(".")[0] for m in modules} if top_level else modules


def test_each_language_loads_only_its_own_script_model():
    assert "aiblint.scripts.shell" not in _imported(["--quiet", "--exit-zero", "examples/windows-good.json"], False)
    assert "aiblint.scripts.powershell" not in _imported(["--quiet", "--exit-zero", "examples/ubuntu-good.json"], False)


def test_version_imports_nothing_heavy():
    assert not _imported(["--version"]) & set(HEAVY)


def test_linting_a_linux_template_loads_only_what_it_needs():
    loaded = _imported(["--quiet", "--exit-zero", "examples/ubuntu-good.json"])
    assert {"tree_sitter", "tree_sitter_bash"} <= loaded
    # A valid template is answered by aiblint/schema_fast.py: jsonschema is for error messages.
    assert not loaded & {"jsonschema", "referencing", "tree_sitter_pwsh", "pyparsing", "pygls", "lsprotocol", "pydantic"}


def test_linting_a_windows_template_does_not_load_the_bash_grammar():
    loaded = _imported(["--quiet", "--exit-zero", "examples/windows-good.json"])
    assert "tree_sitter_pwsh" in loaded
    assert not loaded & {"jsonschema", "tree_sitter_bash", "pyparsing", "pygls", "lsprotocol", "pydantic"}


def test_an_invalid_template_loads_jsonschema_for_its_messages():
    loaded = _imported(["--quiet", "--exit-zero", "fixtures/AIB011/typos.json"])
    assert "jsonschema" in loaded


def test_arm_expressions_need_no_parsing_package():
    # The ARM grammar is aiblint/arm.py's own recursive-descent parser (pyparsing was 50x slower).
    loaded = _imported(["--quiet", "--exit-zero", "fixtures/AIB006/near_miss_valid_expressions.json"])
    assert not loaded & {"pyparsing", "pygls", "pydantic"}
