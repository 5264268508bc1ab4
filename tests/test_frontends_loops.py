"""Resource loops: Bicep ``[for ...]`` and Terraform ``count`` / ``for_each`` expanded when
the collection is known (bounded), the same finding in every instance reported once."""

from __future__ import annotations

from pathlib import Path

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_bytes

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "frontends"


def _lint(path: Path):  # type: ignore[no-untyped-def]
    return lint_bytes(path.read_bytes(), path.name, Config(), path, LintOptions())


def test_a_finding_in_every_instance_is_reported_once() -> None:
    for case, line in (("bicep_loop/main.bicep", 46), ("terraform_loop/main.tf", 45)):
        found = [d for d in _lint(CASES / case).diagnostics if d.code == "AIB401" and d.line == line]
        assert len(found) == 1, case  # `yum install httpd` in both instances
        twin = [d for d in _lint(CASES / Path(case).parent / "twin.json").diagnostics if "yum" in d.message]
        assert len(twin) == 2  # written out twice in the twin


def test_each_instance_sees_its_own_values() -> None:
    result = _lint(CASES / "terraform_loop" / "main.tf")
    per_key = sorted(d.pointer for d in result.diagnostics if d.code == "AIB401" and d.line == 44)
    assert per_key == [
        '/resources/each["large"]/properties/customize/0/inline/0',
        '/resources/each["small"]/properties/customize/0/inline/0',
    ]
    messages = {d.message.split(" already ship ")[1].split(",")[0] for d in result.diagnostics if d.line == 44}
    assert messages == {"git", "curl"}  # each.value.package of each key
    names = sorted(d.message.split("'")[1] for d in result.diagnostics if d.code == "AIB102" and d.line == 55)
    assert names == ["copy-0", "copy-1"]  # count from terraform.tfvars, count.index bound


def test_unknown_loops_are_linted_once_and_false_conditions_not_at_all() -> None:
    for case, name, never in (("bicep_loop/main.bicep", "perRegion", "never"), ("terraform_loop/main.tf", "unknown", "disabled")):
        pointers = {d.pointer.split("/")[2] for d in _lint(CASES / case).diagnostics}
        assert name in pointers and not any(p.startswith(never) for p in pointers), case


def test_a_loop_over_the_bound_is_linted_once_with_a_note(tmp_path: Path) -> None:
    bicep = tmp_path / "big.bicep"
    bicep.write_text(
        "resource x 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = [for i in range(0, 40): {\n"
        "  name: 'x${i}'\n  properties: {\n    customize: [ { type: 'Shell', name: 's', inline: [ 'sudo yum install a' ] } ]\n  }\n}]\n"
    )
    tf = tmp_path / "big.tf"
    tf.write_text(
        'resource "azapi_resource" "x" {\n  count = 40\n  type = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"\n'
        '  body = { properties = { customize = [{ type = "Shell", name = "s", inline = ["sudo yum install a"] }] } }\n}\n'
    )
    for path in (bicep, tf):
        result = _lint(path)
        assert {d.pointer.split("/")[2] for d in result.diagnostics if d.pointer.startswith("/resources/")} == {"x"}
        assert any("40 instances is linted once" in note for note in result.notes), result.notes


def test_module_loops_deploy_one_module_per_item_with_its_own_arguments() -> None:
    bicep = _lint(CASES / "bicep_module_loop" / "main.bicep")
    assert sorted(d.pointer.split("/")[2] for d in bicep.diagnostics if d.code == "AIB102") == ["builds[0]", "builds[1]"]
    assert sorted(d.line for d in bicep.diagnostics if d.code == "AIB401") == [5, 9]  # each item's own script line
    terraform = _lint(CASES / "terraform_module_loop" / "main.tf")
    names = sorted(d.message.split("'")[1] for d in terraform.diagnostics if d.code == "AIB102")
    assert names == ["image-tools", "image-web"]  # each.key passed as the module's suffix
    assert sorted(d.line for d in terraform.diagnostics if d.code == "AIB401") == [4, 5]  # each.value, where written


def test_for_each_over_a_set_of_strings(tmp_path: Path) -> None:
    """``for_each = toset([...])``: each.key and each.value are the string, in sorted order."""
    (tmp_path / ".git").mkdir()
    path = tmp_path / "main.tf"
    path.write_text(
        'variable "names" {\n  default = ["web", "api", "web"]\n}\n\n'
        'resource "azapi_resource" "x" {\n  for_each = toset(var.names)\n'
        '  type = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"\n  name = "img-${each.value}"\n'
        '  body = { properties = { customize = [{ type = "Shell", name = "s", inline = ["sudo yum install ${each.key}"] }] } }\n}\n'
    )
    result = _lint(path)
    assert sorted(d.pointer.split("/")[2] for d in result.diagnostics if d.code == "AIB102") == ['x["api"]', 'x["web"]']
    installs = sorted(d.message for d in result.diagnostics if d.code == "AIB401")
    assert len(installs) == 1  # the same message at the same place in both instances: one finding
