"""Sources and distributors are typed in one place (Template.kind_of), case-insensitively."""

from __future__ import annotations

import json

from aiblint.armeval import Resolver
from aiblint.jsontree import parse
from aiblint.locate import locate
from aiblint.model import Template


def _template(resource: dict) -> Template:
    located = locate(parse(json.dumps(resource)))[0]
    return Template(located, Resolver(located.deployment))


def test_kinds_are_lower_case_whatever_the_template_writes():
    template = _template(
        {
            "type": "Microsoft.VirtualMachineImages/imageTemplates",
            "properties": {
                "source": {"type": "platformImage"},
                "customize": [],
                "distribute": [{"type": "sharedImage"}, {"type": "VHD"}, {"type": 3}, {}],
            },
        }
    )
    assert template.source_kind == "platformimage"
    assert [template.kind_of(d) for d in template.distributors] == ["sharedimage", "vhd", "", ""]
    assert template.kind_of(None) == ""


def test_an_arm_parameter_gives_the_kind():
    deployment = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {"kind": {"type": "string", "defaultValue": "ManagedImage"}},
        "resources": [
            {
                "type": "Microsoft.VirtualMachineImages/imageTemplates",
                "apiVersion": "2024-02-01",
                "properties": {"source": {"type": "[parameters('kind')]"}, "distribute": []},
            }
        ],
    }
    assert _template(deployment).source_kind == "managedimage"
