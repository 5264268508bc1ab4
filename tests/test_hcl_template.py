"""Terraform's template language: templatefile() files, and %{ } directives, ~ strip markers
and $${ / %%{ escapes in any HCL string; unknown parts leave the whole string unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiblint.config import Config
from aiblint.frontends import parse_source
from aiblint.lint import LintOptions, lint_bytes

_RESOURCE = """resource "azapi_resource" "image" {{
  type = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name = "x"
  body = {{
    properties = {{
      customize = [{{ type = "Shell", name = "s", inline = [{inline}] }}]
    }}
  }}
}}
"""


def _repo(tmp_path: Path, template: str, inline: str, extra: str = "") -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "t.tftpl").write_text(template)
    main = tmp_path / "main.tf"
    main.write_text(extra + _RESOURCE.format(inline=inline))
    return main


def _script(main: Path):  # type: ignore[no-untyped-def]
    document = parse_source(main.read_text(), "main.tf", main, "terraform")
    customize = document.root.get("resources").get("image").get("properties").get("customize")  # type: ignore[union-attr]
    return customize.items[0].get("inline").items[0], document  # type: ignore[union-attr]


def _render(tmp_path: Path, template: str, variables: str = "{}", extra: str = "") -> str:
    script, _ = _script(_repo(tmp_path, template, f'templatefile("${{path.module}}/t.tftpl", {variables})', extra))
    return script.text


@pytest.mark.parametrize(
    ("template", "variables", "rendered"),
    [
        ("a $${b} %%{c}\n", "{}", "a ${b} %{c}\n"),
        ("x=${x} y=${o.k}\n", '{ x = "1", o = { k = 2 } }', "x=1 y=2\n"),
        ("%{ if on }yes%{ else }no%{ endif }", "{ on = true }", "yes"),
        ("%{ if on }yes%{ else }no%{ endif }", "{ on = false }", "no"),
        ("%{ if on }yes%{ endif }", "{ on = false }", ""),
        ("%{ for p in ps }(${p})%{ endfor }", '{ ps = ["a", "b"] }', "(a)(b)"),
        ("%{ for i, p in ps }${i}=${p},%{ endfor }", '{ ps = ["a", "b"] }', "0=a,1=b,"),
        ("%{ for k, val in m }${k}=${val};%{ endfor }", '{ m = { z = "1", a = "2" } }', "a=2;z=1;"),  # keys sorted
        ("a \n  %{~ if true ~}  \n b %{~ endif ~} \nc", "{}", "abc"),
        ("a  ${~ x ~}  b", '{ x = "-" }', "a-b"),
        ("%{ for p in ps ~}\n${p}\n%{ endfor ~}\nend", '{ ps = ["a", "b"] }', "a\nb\nend"),
        ("%{ if a }%{ for p in ps }${p}%{ endfor }%{ endif }", '{ a = true, ps = ["x", "y"] }', "xy"),
        ('no variables: ${upper("abc")}', "{}", "no variables: ABC"),
        ("back\\slash \\n stays\n", "{}", "back\\slash \\n stays\n"),  # no backslash escapes in a template file
    ],
)
def test_directives_strip_markers_and_escapes(tmp_path: Path, template: str, variables: str, rendered: str) -> None:
    assert _render(tmp_path, template, variables) == rendered


@pytest.mark.parametrize(
    ("template", "variables"),
    [
        ("apt-get install ${x}\n", "{}"),  # a name the variables do not give
        ("apt-get install ${x}\n", "{ x = var.x }"),  # a variable known only at plan time
        ("%{ if on }apt-get install a%{ endif }", "{ on = var.x }"),  # unknown condition
        ("%{ for p in ps }apt-get install ${p}%{ endfor }", "{ ps = var.x }"),  # unknown collection
        ("apt-get install ${var.x}\n", "{}"),  # a template sees only its variables
        ("apt-get install ${path.module}\n", "{}"),
        ('${file("t.tftpl")}', "{}"),  # file() inside a template: relative to the working folder
        ("apt-get install ${x}\n", "var.x"),  # the variables themselves unknown
    ],
)
def test_an_unknown_part_leaves_the_whole_script_unknown(tmp_path: Path, template: str, variables: str) -> None:
    extra = 'variable "x" {\n  type = string\n}\n'
    main = _repo(tmp_path, template, f'templatefile("${{path.module}}/t.tftpl", {variables})', extra)
    script, _ = _script(main)
    assert script.text.startswith("[variables('templatefile(")
    result = lint_bytes(main.read_bytes(), "main.tf", Config(), main, LintOptions(explicit=True))
    assert "AIB401" not in [d.code for d in result.diagnostics]  # the near miss: nothing is guessed


def test_literal_text_maps_into_the_template_file(tmp_path: Path) -> None:
    template = "#!/bin/bash\n%{ if on ~}\necho $${HOME}\n  sudo apt-get install ${p}\n%{ endif ~}\n"
    main = _repo(tmp_path, template, 'templatefile("${path.module}/t.tftpl", { on = true, p = "jq" })')
    script, _ = _script(main)
    assert script.text == "#!/bin/bash\necho ${HOME}\n  sudo apt-get install jq\n"
    assert script.file == "t.tftpl" and script.loaded_by is not None
    for index, char in enumerate(script.text[:-3]):  # every written character (jq is substituted)
        offset = script.file_offset(index)
        assert template[offset] == char or (template[offset : offset + 2] == "$$" and char == "$"), index
    assert template[script.file_offset(len(script.text) - 3)] == "$"  # `jq` points at its `${`
    result = lint_bytes(main.read_bytes(), "main.tf", Config(), main, LintOptions(explicit=True))
    found = [(d.file, d.line, d.column, d.code) for d in result.diagnostics if d.code == "AIB401"]
    assert found == [("t.tftpl", 4, 8, "AIB401")]
    assert [r[1:3] for r in result.diagnostics[-1].related] == [(6, 60)]


def test_a_hazard_in_a_substituted_value_points_at_its_interpolation(tmp_path: Path) -> None:
    main = _repo(tmp_path, "#!/bin/bash\n  ${cmd}\n", 'templatefile("${path.module}/t.tftpl", { cmd = "apt-get install x" })')
    result = lint_bytes(main.read_bytes(), "main.tf", Config(), main, LintOptions(explicit=True))
    assert [(d.file, d.line, d.column) for d in result.diagnostics if d.code == "AIB401"] == [("t.tftpl", 2, 3)]


def test_directives_in_a_heredoc_are_evaluated(tmp_path: Path) -> None:
    heredoc = '<<-EOT\n    %{ for p in ["a", "b"] ~}\n    apt-get install -y ${p}\n    %{ endfor ~}\n    EOT\n'
    main = _repo(tmp_path, "", heredoc)
    script, _ = _script(main)
    assert script.text == "apt-get install -y a\napt-get install -y b\n"


def test_bad_templates_are_unknown_with_a_note_and_never_crash(tmp_path: Path) -> None:
    cases = {
        "unclosed": ("%{ if true }no endif\n", "{}"),
        "unbalanced": ("${\n", "{}"),
        "too many": ("%{ for p in ps }apt-get install ${p}\n%{ endfor }", f"{{ ps = {_numbers(300)} }}"),
        "nested loops": (
            "%{ for a in ps }%{ for b in ps }%{ for c in ps }${c}${c}%{ endfor }%{ endfor }%{ endfor }",
            f"{{ ps = {_numbers(190)} }}",
        ),
        "long text": ("%{ for a in ps }%{ for b in ps }" + "x" * 3000 + "%{ endfor }%{ endfor }", f"{{ ps = {_numbers(40)} }}"),
    }
    notes = []
    for name, (template, variables) in cases.items():
        script, document = _script(_repo(tmp_path, template, f'templatefile("${{path.module}}/t.tftpl", {variables})'))
        assert script.text.startswith("[variables("), name
        notes += document.notes
    assert any("over 300 items" in n for n in notes) and any("more than 10000 loop bodies" in n for n in notes)
    _, document = _script(_repo(tmp_path, "%{ if true }x\n", "{}"[:0] + 'templatefile("${path.module}/t.tftpl", {})'))
    assert any("not a valid template" in n for n in document.notes)


def _numbers(count: int) -> str:
    return "[" + ", ".join(str(i) for i in range(count)) + "]"


def test_a_template_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "secret.tftpl").write_text("apt-get install x\n")
    (repo / ".git").mkdir()
    main = repo / "main.tf"
    main.write_text(_RESOURCE.format(inline='templatefile("../secret.tftpl", {})'))
    script, document = _script(main)
    assert script.text.startswith("[variables(")
    assert any("outside the repository" in n for n in document.notes)
