"""``--fix`` on Bicep and Terraform files: every fix the JSON path offers is written in the
front end's own syntax (escaped for its string), or withheld with the reason ``--fix`` prints."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from aiblint.config import Config
from aiblint.editmap import BICEP, BICEP_MULTILINE, HCL, HCL_HEREDOC, JSON_IN, Refusal, encode
from aiblint.fix import FixSession, fix_text
from aiblint.lint import LintOptions, lint_text

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "frontends"

# What each fixture's fixes must change: (code, how many) applied with --unsafe-fixes.
EXPECTED = {
    "fix_bicep/main.bicep": {"AIB401": 4, "AIB402": 1, "AIB024": 1, "AIB501": 1, "AIB502": 1, "AIB303": 1},
    "fix_terraform/main.tf": {"AIB401": 4, "AIB402": 1, "AIB024": 1, "AIB501": 2, "AIB502": 1, "AIB303": 2},
}
WITHHELD = {
    "fix_bicep/main.bicep": [("main.bicep", "AIB401", "computed by an expression")],  # join([...], ' ')
    "fix_terraform/main.tf": [("scripts/setup.sh", "AIB401", "the script is written in")],  # file()
}


def _copy(case: str, tmp_path: Path) -> Path:
    folder = tmp_path / "repo" / Path(case).parent
    shutil.copytree(CASES / Path(case).parent, folder)
    (tmp_path / "repo" / ".git").mkdir()  # the repository root: loaded files stay inside it
    return folder / Path(case).name


def _linter(path: Path):  # type: ignore[no-untyped-def]
    display = path.name

    def lint(text: str) -> list:  # type: ignore[type-arg]
        return lint_text(text, display, Config(), path, LintOptions()).diagnostics

    return lint


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_every_offered_fix_round_trips(case: str, tmp_path: Path) -> None:
    path = _copy(case, tmp_path)
    lint = _linter(path)
    before = path.read_text()
    found = lint(before)
    assert not [d for d in found if d.code == "AIB001"]
    fixed, applied = fix_text(before, lambda text: [d for d in lint(text) if d.file == path.name], unsafe=True)
    assert Counter(a.code for a in applied) == Counter(EXPECTED[case])
    path.write_text(fixed)
    after = lint(fixed)
    # the file still parses, every offered fix is gone, and no finding is new
    assert not [d for d in after if d.code == "AIB001"]
    assert not [d for d in after if d.file == path.name and d.fix is not None and d.fix.edits]
    remaining = Counter((d.code, d.file) for d in after)
    assert not remaining - Counter((d.code, d.file) for d in found)
    fixed_codes = {a.code for a in applied} - {"AIB401"}  # a withheld AIB401 is left on purpose
    assert not [d for d in after if d.code in fixed_codes]
    # a second run changes nothing
    assert fix_text(fixed, lambda text: [d for d in lint(text) if d.file == path.name], unsafe=True)[0] == fixed


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_the_fixed_file_parses_with_the_grammar(case: str, tmp_path: Path) -> None:
    """No syntax error node anywhere in the fixed file (tree-sitter's own verdict)."""
    import tree_sitter

    path = _copy(case, tmp_path)
    lint = _linter(path)
    fixed, _ = fix_text(path.read_text(), lambda text: [d for d in lint(text) if d.file == path.name], unsafe=True)
    if path.suffix == ".bicep":
        import tree_sitter_bicep as grammar
    else:
        import tree_sitter_hcl as grammar  # type: ignore[no-redef]
    tree = tree_sitter.Parser(tree_sitter.Language(grammar.language())).parse(fixed.encode())
    assert not tree.root_node.has_error


def test_fixed_text_is_escaped_for_each_string() -> None:
    """The Bicep and the Terraform fixture each hold a string with escapes before the insertion."""
    bicep = _fixed_lines("fix_bicep/main.bicep")
    assert "          'echo \\'it\\\\s\\' && sudo apt-get install -y curl'" in bicep
    assert "          'Install-Module -Name \\'Az\\' -Force'" in bicep
    assert "sudo yum install -y httpd" in bicep  # inside the ''' string
    terraform = _fixed_lines("fix_terraform/main.tf")
    assert '            "echo \\"it\'s\\" $${HOME} && sudo apt-get install -y curl",' in terraform
    assert "            sudo yum install -y httpd" in terraform  # inside the <<-EOT heredoc
    assert '          { "type": "WindowsRestart", "restartTimeout": "10m" }' in terraform  # the JSON heredoc
    assert '        { type = "WindowsRestart", restartTimeout = "10m" }' in terraform


def _fixed_lines(case: str) -> list[str]:
    path = CASES / case
    lint = _linter(path)
    fixed, _ = fix_text(path.read_text(), lambda text: [d for d in lint(text) if d.file == path.name], unsafe=True)
    return fixed.splitlines()


@pytest.mark.parametrize("case", sorted(WITHHELD))
def test_withheld_fixes_are_counted_with_their_reason(case: str, tmp_path: Path) -> None:
    path = _copy(case, tmp_path)
    session = FixSession(write=False, unsafe=True)
    session.run(path.name, path, path.read_bytes(), _linter(path))
    summary = session.withheld_summary()
    expected = WITHHELD[case]
    assert summary[0].startswith(f"{len(expected)} fix")
    for (file, code, reason), line in zip(expected, summary[1:], strict=True):
        assert file in line and code in line and reason in line


def test_the_cli_says_how_many_fixes_were_not_offered(tmp_path: Path) -> None:
    path = _copy("fix_terraform/main.tf", tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "aiblint", "--fix", "--unsafe-fixes", str(path)], capture_output=True, text=True, cwd=path.parent
    )
    assert "aiblint: note: 1 fix not offered" in run.stderr
    assert "scripts/setup.sh:2:6: AIB401" in run.stderr
    assert "apt-get install -y curl" in path.read_text()


@pytest.mark.parametrize(
    ("syntax", "text", "before", "after", "written"),
    [
        (BICEP, " -Name 'a b'", "x", "'", " -Name \\'a b\\'"),
        (BICEP, "C:\\x ${y}", "x", "'", "C:\\\\x \\${y}"),
        (BICEP, "$", "x", "{", "\\$"),  # a written { after an inserted $
        (BICEP_MULTILINE, "a\nb ${c}", "x", "\n", "a\nb ${c}"),  # ''' has no escapes and no interpolation
        (HCL, 'say "hi" ${x} %{y}\n', "x", '"', 'say \\"hi\\" $${x} %%{y}\\n'),
        (HCL_HEREDOC, 'say "hi" ${x}', "x", "\n", 'say "hi" $${x}'),
        (JSON_IN + HCL_HEREDOC, 'say "hi" ${x}', "x", '"', 'say \\"hi\\" $${x}'),
    ],
)
def test_encode(syntax: str, text: str, before: str, after: str, written: str) -> None:
    assert encode(syntax, text, before, after) == written


@pytest.mark.parametrize(
    ("syntax", "text", "before"),
    [(BICEP_MULTILINE, "it's", "x"), (HCL_HEREDOC, "a\nb", "x"), (BICEP, "{x}", "$"), (HCL, "{x}", "%")],
)
def test_encode_refuses_what_cannot_be_written_there(syntax: str, text: str, before: str) -> None:
    assert isinstance(encode(syntax, text, before, ""), Refusal)


WINDOWS_MODULE = """resource win 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'win'
  location: 'westeurope'
  properties: {
    source: {
      type: 'PlatformImage'
      publisher: 'MicrosoftWindowsServer'
      offer: 'WindowsServer'
      sku: '2022-datacenter-g2'
      version: 'latest'
    }
    customize: [
      {
        type: 'PowerShell'
        name: 'agent'
        inline: [
          'msiexec /i C:\\\\agent.msi /qn'
        ]
      }
    ]
  }
}
"""


def test_a_module_fix_is_withheld_in_its_parent_and_applied_in_its_own_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    module = tmp_path / "win.bicep"
    module.write_text(WINDOWS_MODULE)
    parent = tmp_path / "main.bicep"
    parent.write_text("module win './win.bicep' = {\n  name: 'win'\n}\n")
    session = FixSession(write=False, unsafe=False)
    session.run(parent.name, parent, parent.read_bytes(), _linter(parent))
    assert "the customize list is written in win.bicep: fix it there" in session.withheld_summary()[1]
    session.run(module.name, module, module.read_bytes(), _linter(module))
    assert [a.code for _, a in session.applied] == ["AIB303"]
    assert session.withheld_summary() == []  # the same run fixes it where it is written
