"""``--fix`` / ``--diff`` inside the script files a Bicep or Terraform template loads as
written (``loadTextContent``, ``file()``): the fix is a plain text edit in that file, which is
written atomically, once a run, only inside the repository and never through a symbolic link;
a script rendered by ``templatefile()`` keeps its fixes withheld."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from aiblint import fix as fix_module
from aiblint.config import Config
from aiblint.fix import FixSession
from aiblint.lint import LintOptions, lint_bytes, lint_text

SCRIPT = "#!/bin/bash\r\nsudo apt-get install nginx\r\napt-get upgrade\r\n"  # CRLF kept by the fix
TERRAFORM = """resource "azapi_resource" "image" {{
  type = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name = "linux-${{timestamp()}}"
  body = {{
    properties = {{
      customize = [
        {{ type = "Shell", name = "file", inline = [file("${{path.module}}/scripts/{script}")] }},
        {{ type = "Shell", name = "rendered", inline = [templatefile("${{path.module}}/scripts/t.sh.tftpl", {{ pkg = "jq" }})] }},
      ]
    }}
  }}
}}
"""
BICEP = """resource image 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'linux-${uniqueString(resourceGroup().id)}'
  location: 'westeurope'
  properties: {
    customize: [
      {
        type: 'Shell'
        name: 'loaded'
        inline: [
          loadTextContent('scripts/setup.sh')
        ]
      }
    ]
  }
}
"""


def _repo(tmp_path: Path, script: str = "setup.sh") -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    scripts = repo / "infra" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "setup.sh").write_bytes(SCRIPT.encode())
    (scripts / "t.sh.tftpl").write_text("#!/bin/bash\nsudo apt-get install ${pkg}\n")
    (repo / "infra" / "main.tf").write_text(TERRAFORM.format(script=script))
    (repo / "infra" / "main.bicep").write_text(BICEP)
    return repo / "infra"


def _findings(folder: Path) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for name in ("main.tf", "main.bicep"):
        path = folder / name
        result = lint_bytes(path.read_bytes(), name, Config(), path, LintOptions(explicit=True))
        found.update((d.code, d.file) for d in result.diagnostics)
    return found


def _aiblint(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "aiblint", *arguments, "main.tf", "main.bicep"]
    return subprocess.run(command, capture_output=True, text=True, cwd=folder, timeout=120)


def test_fix_writes_the_loaded_script_and_leaves_the_templates_alone(tmp_path: Path) -> None:
    folder = _repo(tmp_path)
    templates = {name: (folder / name).read_bytes() for name in ("main.tf", "main.bicep", "scripts/t.sh.tftpl")}
    before = _findings(folder)
    assert before[("AIB401", "scripts/setup.sh")] == 4  # two commands, reported for both templates
    run = _aiblint(folder, "--fix", "--show-fixes")
    assert (
        folder / "scripts" / "setup.sh"
    ).read_bytes() == b"#!/bin/bash\r\nsudo apt-get install -y nginx\r\napt-get upgrade -y\r\n"
    assert {name: (folder / name).read_bytes() for name in templates} == templates  # only the script changed
    after = _findings(folder)
    assert after[("AIB401", "scripts/setup.sh")] == 0
    assert not after - before  # nothing new
    assert after[("AIB401", "scripts/t.sh.tftpl")] == 1  # the rendered template: still there, its fix withheld
    assert "scripts/setup.sh:2:6: AIB401 fixed: insert -y" in run.stderr
    assert "scripts/t.sh.tftpl:2:6: AIB401: the script is written in scripts/t.sh.tftpl" in run.stderr


def test_diff_shows_the_loaded_script_and_writes_nothing(tmp_path: Path) -> None:
    folder = _repo(tmp_path)
    run = _aiblint(folder, "--diff")
    assert run.returncode == 1
    assert "+++ b/scripts/setup.sh" in run.stdout and "+sudo apt-get install -y nginx" in run.stdout
    assert run.stdout.count("+++ b/scripts/setup.sh") == 1  # once, though both templates load it
    assert (folder / "scripts" / "setup.sh").read_bytes() == SCRIPT.encode()
    assert "fixed once in this run" not in run.stderr  # the second template asks for the same fixes


def test_a_script_loaded_by_two_templates_is_written_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _repo(tmp_path)
    writes: list[Path] = []
    real = fix_module.write_atomically

    def counting(path: Path, data: bytes) -> None:
        writes.append(path)
        real(path, data)

    monkeypatch.setattr(fix_module, "write_atomically", counting)
    session = FixSession(write=True, unsafe=False)
    for name in ("main.tf", "main.bicep"):
        path = folder / name

        def lint(text: str, name: str = name, path: Path = path) -> list:  # type: ignore[type-arg]
            return lint_text(text, name, Config(), path, LintOptions()).diagnostics

        session.run(name, path, path.read_bytes(), lint)
    assert writes == [(folder / "scripts" / "setup.sh").resolve()]
    assert b"install -y nginx" in (folder / "scripts" / "setup.sh").read_bytes()


def test_a_symbolic_link_is_never_written_through(tmp_path: Path) -> None:
    folder = _repo(tmp_path, script="link.sh")
    (folder / "scripts" / "link.sh").symlink_to("setup.sh")
    path = folder / "main.tf"
    session = FixSession(write=True, unsafe=False)
    session.run(
        "main.tf", path, path.read_bytes(), lambda text: lint_text(text, "main.tf", Config(), path, LintOptions()).diagnostics
    )
    assert (folder / "scripts" / "setup.sh").read_bytes() == SCRIPT.encode()
    assert (folder / "scripts" / "link.sh").is_symlink()
    assert any("scripts/link.sh: not fixed" in line for line in session.refused)


def test_an_edit_between_two_values_stays_withheld(tmp_path: Path) -> None:
    """A script assembled from a loaded file and other text is computed: no plain edit."""
    folder = _repo(tmp_path)
    path = folder / "main.tf"
    path.write_text(
        path.read_text().replace('[file("${path.module}/scripts/setup.sh")]', '["${file("${path.module}/scripts/setup.sh")} x"]')
    )
    found = lint_text(path.read_text(), "main.tf", Config(), path, LintOptions()).diagnostics
    fixes = [d.fix for d in found if d.code == "AIB401" and d.fix is not None]
    assert fixes and all(not f.edits and f.file is None for f in fixes)
