"""Bicep and Terraform front ends: each fixture lints like its hand-written JSON twin
(same codes at the same pointers) and at exact positions in its own files (snapshot)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_bytes

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "frontends"
ENTRIES = sorted(p for p in CASES.rglob("*") if p.suffix in (".bicep", ".bicepparam", ".tf") and p.parent.name != "modules")
ENTRIES = [p for p in ENTRIES if not (p.suffix == ".bicep" and p.with_suffix(".bicepparam").exists())]


def _lint(path: Path, explicit: bool = True):  # type: ignore[no-untyped-def]
    display = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    return lint_bytes(path.read_bytes(), display, Config(), path, LintOptions(explicit=explicit))


def _rendered(path: Path) -> str:
    result = _lint(path)
    lines = [f"{d.file}:{d.line}:{d.column} {d.code} {d.pointer}" for d in result.diagnostics]
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", ENTRIES, ids=lambda p: str(p.relative_to(CASES)))
def test_front_end_snapshot(path: Path) -> None:
    expected = path.with_name(path.name + ".expected")
    actual = _rendered(path)
    if os.environ.get("AIBLINT_UPDATE_SNAPSHOTS") == "1":
        expected.write_text(actual)
    assert actual == expected.read_text()


@pytest.mark.parametrize("path", [p for p in ENTRIES if (p.parent / "twin.json").exists()], ids=lambda p: p.parent.name)
def test_same_codes_as_the_json_twin(path: Path) -> None:
    ours = _folded(_lint(path).diagnostics)
    twin = _folded(_lint(path.parent / "twin.json").diagnostics)
    assert ours == twin


def _folded(diagnostics: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    """(code, pointer) pairs, the instances of a resource loop folded as the front ends fold
    them: the same finding in every instance (``images[0]``, ``images[1]``) is one, at the
    first. The twin writes each instance out, so its copies sit at different lines."""
    first: dict[tuple[str, str, str], str] = {}
    for d in diagnostics:
        key = (d.code, d.message, re.sub(r"^(/resources/[^/]*?)\[[^/]*\]", r"\1[*]", d.pointer))
        first[key] = min(first.get(key, d.pointer), d.pointer)
    return sorted((code, pointer) for (code, _, _), pointer in first.items())


def test_a_loaded_script_finding_points_into_the_script_file() -> None:
    result = _lint(CASES / "bicep_linux" / "main.bicep")
    loaded = [d for d in result.diagnostics if d.file.endswith("scripts/setup.sh")]
    assert [(d.code, d.line, d.column) for d in loaded] == [("AIB401", 3, 6)]
    # the loadTextContent call is the finding's related location (shown on terminals, in SARIF)
    assert loaded[0].related == (("tests/frontends/bicep_linux/main.bicep", 64, 11, "the script is loaded here"),)
    tf = [d for d in _lint(CASES / "terraform_azapi" / "main.tf").diagnostics if d.file.endswith("setup.sh")]
    assert [d.related[0][1:3] for d in tf] == [(53, 21)]


def test_escapes_and_triple_quoted_strings_map_exactly() -> None:
    from aiblint.frontends import parse_source

    path = CASES / "bicep_linux" / "main.bicep"
    text = path.read_text()
    document = parse_source(text, "main.bicep", path, "bicep")
    inline = document.root.get("resources").get("image").get("properties").get("customize").items[0].get("inline")  # type: ignore[union-attr]
    greeting = inline.items[2]  # type: ignore[union-attr]
    assert greeting.text == "echo 'hello' ${HOME}"
    # `'` decoded from `\'`, `$` from `\$`: each maps to its backslash
    assert text[greeting.file_offset(5)] == "\\" and text[greeting.file_offset(6)] == "h"
    assert text[greeting.file_offset(13)] == "\\" and text[greeting.file_offset(14)] == "{"


def test_heredoc_indentation_and_dollar_escapes_map_exactly() -> None:
    from aiblint.frontends import parse_source

    path = CASES / "terraform_azapi" / "main.tf"
    text = path.read_text()
    document = parse_source(text, "main.tf", path, "terraform")
    customize = document.root.get("resources").get("image").get("properties").get("customize")  # type: ignore[union-attr]
    echo = customize.items[0].get("inline").items[1]  # type: ignore[union-attr]
    assert echo.text == 'echo ${HOME} "quoted"'
    assert text[echo.file_offset(5)] == "$" and text[echo.file_offset(6)] == "{"
    heredoc = customize.items[1].get("inline").items[0]  # type: ignore[union-attr]
    assert heredoc.text == "set -e\nsudo apt-get install tree\n"
    assert text[heredoc.file_offset(7) : heredoc.file_offset(7) + 4] == "sudo"


def test_folder_mode_skips_files_without_an_image_template(tmp_path: Path) -> None:
    (tmp_path / "other.bicep").write_text("param x string = 'a'\n")
    (tmp_path / "other.tf").write_text('resource "azurerm_resource_group" "rg" {\n  name = "x"\n}\n')
    assert _lint(tmp_path / "other.bicep", explicit=False).diagnostics == []
    assert [d.code for d in _lint(tmp_path / "other.tf").diagnostics] == ["AIB002"]
    run = subprocess.run([sys.executable, "-m", "aiblint", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_suppression_comment_in_bicep(tmp_path: Path) -> None:
    source = (CASES / "bicep_module" / "modules" / "image.bicep").read_text()
    source = "param script string = 'ok'\n" + source.split("\n", 1)[1]
    marked = source.replace("  name: templateName", "  // aiblint: disable-next-line=AIB102 -- fixed on purpose\n  name: 'fixed'")
    (tmp_path / "a.bicep").write_text(source.replace("name: templateName", "name: 'fixed'"))
    (tmp_path / "b.bicep").write_text(marked)
    assert "AIB102" in [d.code for d in _lint(tmp_path / "a.bicep").diagnostics]
    assert "AIB102" not in [d.code for d in _lint(tmp_path / "b.bicep").diagnostics]


def test_linting_json_imports_neither_grammar() -> None:
    code = (
        "import sys\nfrom aiblint.cli import main\n"
        "main(['--quiet', '--exit-zero', 'examples/ubuntu-good.json'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('tree_sitter_bicep', 'tree_sitter_hcl', 'aiblint.frontends.'))), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "azure", "junit", "lsp"])
def test_every_output_format_names_the_loaded_script_file(fmt: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "aiblint", "--format", fmt, "tests/frontends/bicep_linux/main.bicep"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr
    assert "scripts/setup.sh" in run.stdout and "main.bicep" in run.stdout


HOSTILE = {
    "outside.bicep": "var s = loadTextContent('../../../../../../etc/passwd')\n",
    "cycle.bicep": "var a = b\nvar b = a\n",
    "loop.bicep": "var x = [for i in range(0, 100000000): i]\n",
    "deep.bicep": "var x = " + "[" * 3000 + "]" * 3000 + "\n",
    "broken.bicep": "resource x 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {\n  properties: {\n",
    "deep.tf": "locals {\n  x = " + "[" * 3000 + "]" * 3000 + "\n}\n",
    "deep-interpolation.tf": 'resource "azapi_resource" "x" {\n  type = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"\n'
    + '  name = "'
    + '${"' * 5000
    + "a"
    + '"}' * 5000
    + '"\n}\noutput "o" { value = 1 }\n'
    + "#" * 5000
    + "\n",
    "heredoc.tf": 'resource "azapi_resource" "x" {\n  type = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"\n  body = <<EOT\n{ not json\nEOT\n}\n',
    "outside.tf": 'resource "azapi_resource" "x" {\n  type = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"\n  body = file("/etc/passwd")\n}\n',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_front_end_input_never_crashes(tmp_path: Path, name: str) -> None:
    template = (
        "\nresource img 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {\n"
        "  name: 'x'\n  properties: { customize: [ { type: 'Shell', inline: [ s ] } ] }\n}\n"
    )
    (tmp_path / ".git").mkdir()
    text = HOSTILE[name] + (template if name == "outside.bicep" else "")
    (tmp_path / name).write_text(text)
    result = _lint(tmp_path / name)
    assert all(d.file == str(tmp_path / name) for d in result.diagnostics)  # nothing read outside the repository
    if name.startswith("outside"):
        assert any("outside the repository" in n or "not followed" in n for n in result.notes)


def test_a_crashing_front_end_is_an_internal_error_and_other_files_still_run(monkeypatch, capsys) -> None:
    import aiblint.frontends.bicep as bicep
    from aiblint.cli import main

    def broken(*args: object) -> None:
        raise KeyError("deliberate")

    monkeypatch.setattr(bicep, "read", broken)
    monkeypatch.chdir(ROOT)
    code = main(["--format", "json", "tests/frontends/bicep_linux/main.bicep", "tests/frontends/terraform_azapi/main.tf"])
    captured = capsys.readouterr()
    assert code == 2
    assert "the bicep front end failed on tests/frontends/bicep_linux/main.bicep: KeyError" in captured.err
    assert "terraform_azapi/main.tf" in captured.out


def test_an_unused_suppression_comment_is_aib090(tmp_path: Path) -> None:
    source = (CASES / "bicep_module" / "modules" / "image.bicep").read_text()
    source = "param script string = 'ok'\n" + source.split("\n", 1)[1]
    marked = source.replace("  location: 'westeurope'", "  // aiblint: disable-next-line=AIB401\n  location: 'westeurope'", 1)
    (tmp_path / "c.bicep").write_text(marked)
    found = [(d.code, d.line, d.column) for d in _lint(tmp_path / "c.bicep").diagnostics if d.code == "AIB090"]
    assert found == [("AIB090", 6, 3)]
    hcl = (
        (CASES / "terraform_azapi" / "main.tf")
        .read_text()
        .replace('  name      = "linux-', '  # aiblint: disable-next-line=AIB102\n  name      = "linux-')
    )
    (tmp_path / "d.tf").write_text(hcl)
    (tmp_path / "scripts").mkdir()
    codes = [d.code for d in _lint(tmp_path / "d.tf").diagnostics]
    assert "AIB102" not in codes and "AIB090" not in codes
