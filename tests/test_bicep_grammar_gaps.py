"""Types tree-sitter-bicep 1.1 does not parse (public AVM and CARML modules use them) cost
nothing: the parser is shown a same-length plain type, so the declarations after them are
read and every position stays exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiblint.config import Config
from aiblint.frontends.bicep_syntax import for_the_grammar
from aiblint.lint import LintOptions, lint_bytes

TEMPLATE = """resource image 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'gaps'
  location: 'westeurope'
  properties: {
    customize: [
      {
        type: 'Shell'
        name: 'setup'
        inline: [
          script.line
        ]
      }
    ]
  }
}
"""

GAPS = {
    "resource-input type": "param tags resourceInput<'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01'>.properties.managedResourceTags?\n",
    "nullable user type": "param vnet vnetConfigType?\n",
    "nullable object type": "type lockType = {\n  name: string?\n  kind: ('CanNotDelete' | 'None')?\n}?\n",
    "nullable array type": "type roles = {\n  principalId: string\n}[]?\n",
}


@pytest.mark.parametrize("gap", sorted(GAPS))
def test_the_declarations_after_a_grammar_gap_are_read(gap: str, tmp_path: Path) -> None:
    text = GAPS[gap] + "\nvar script = {\n  line: 'sudo apt-get install vim'\n}\n\n" + TEMPLATE
    path = tmp_path / "main.bicep"
    path.write_text(text)
    result = lint_bytes(text.encode(), "main.bicep", Config(), path, LintOptions())
    assert not [d for d in result.diagnostics if d.code == "AIB001"]
    found = [(d.line, d.column) for d in result.diagnostics if d.code == "AIB401"]
    line = text.splitlines().index("  line: 'sudo apt-get install vim'") + 1
    assert found == [(line, 15)]  # `apt-get install vim` inside the var, after the gap


def test_the_rewrite_keeps_every_offset() -> None:
    for text in GAPS.values():
        rewritten = for_the_grammar(text)
        assert len(rewritten) == len(text) and rewritten.count("\n") == text.count("\n")
        assert rewritten != text
