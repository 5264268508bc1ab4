"""The byte scan that lets tree-sitter-hcl parse only the blocks the Terraform front end
reads: it finds blocks exactly (strings, ${}, heredocs, comments skipped) or gives up, and
linting with it gives exactly the findings of a whole-file parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiblint.config import Config
from aiblint.frontends import hcl_scan
from aiblint.lint import LintOptions, lint_bytes

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "frontends"

TRICKY = b"""# a comment with { and "
terraform {
  required_providers { azapi = { source = "Azure/azapi" } }
}

variable "long" {
  description = <<-EOT
    A } brace and a "quote" in a heredoc.
  EOT
  default = { a = "x}${var.y}\\"", b = [1, 2] } // trailing { comment
  validation {
    condition     = length(var.long) > 0
    error_message = "must not be empty: }"
  }
}

/* a block comment } */
output "x" { value = "${jsonencode({ a = "}" })}" }

resource "azapi_resource" "image" {
  type = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  body = { properties = { customize = [{ inline = ["echo $${HOME} %%{x}"] }] } }
}
"""


def test_the_scan_finds_each_block_and_its_attributes() -> None:
    blocks = hcl_scan.scan(TRICKY)
    assert blocks is not None
    assert [(b.kind, b.labels) for b in blocks] == [
        (b"terraform", []),
        (b"variable", [b"long"]),
        (b"output", [b"x"]),
        (b"resource", [b"azapi_resource", b"image"]),
    ]
    long = blocks[1]
    assert [a.name for a in long.attributes] == [b"description", b"default"]
    default = long.attributes[1]
    assert TRICKY[default.start : default.end].startswith(b"default = {") and TRICKY[default.end - 1 : default.end] == b"\n"
    assert TRICKY[blocks[3].end - 1 : blocks[3].end] == b"}"


def test_the_wanted_ranges_skip_unread_blocks_and_variable_descriptions() -> None:
    ranges = hcl_scan.wanted_ranges(TRICKY)
    assert ranges is not None
    kept = b"".join(TRICKY[start:end] for start, end in ranges)
    assert b"azapi_resource" in kept and b"default = {" in kept
    assert b"heredoc" not in kept and b"required_providers" not in kept and b"output" not in kept


@pytest.mark.parametrize(
    "text",
    [b'resource "x" "y" {\n  a = "unclosed\n}\n', b"locals {\n  a = [1, 2\n}\n", b"a = 1\n", b'x "y" {\n  b = <<EOT\nno end\n'],
)
def test_the_scan_gives_up_on_what_it_does_not_understand(text: bytes) -> None:
    assert hcl_scan.scan(text) is None


@pytest.mark.parametrize("path", sorted(p for p in CASES.rglob("*.tf") if "modules" not in p.parts), ids=lambda p: p.parent.name)
def test_ranged_parse_gives_the_whole_parse_findings(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def lint() -> list[tuple[str, int, int, str, str]]:
        result = lint_bytes(path.read_bytes(), str(path), Config(), path, LintOptions())
        return [(d.file, d.line, d.column, d.code, d.message) for d in result.diagnostics]

    monkeypatch.setattr(hcl_scan, "SCAN_FROM_BYTES", 0)  # scan even these small files
    monkeypatch.setattr(hcl_scan, "PARSE_WHOLE_ABOVE", 1.0)
    used: list[bool] = []
    original = hcl_scan.wanted_ranges

    def spy(data: bytes) -> list[tuple[int, int]] | None:
        ranges = original(data)
        used.append(ranges is not None)
        return ranges

    monkeypatch.setattr(hcl_scan, "wanted_ranges", spy)
    ranged = lint()
    assert used and used[0]  # the linted file itself was parsed in ranges
    monkeypatch.setattr(hcl_scan, "wanted_ranges", lambda data: None)
    assert ranged == lint()
