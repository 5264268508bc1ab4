"""Synthetic Bicep-compiled ARM templates for the evaluator benchmark (issue 16, item 5).

The shape follows what Bicep emits for an Azure Verified Module such as
avm/ptn/virtual-machine-images/azure-image-builder (about 1 MB, ~1,900 expressions, of
which about a third distinct): parameters whose defaults are expressions, variables
built with format/concat/if, nested ``Microsoft.Resources/deployments`` with the
``inner`` scope and parameters passed as ``{"value": "[...]"}``, long metadata
descriptions, and one image template whose customizers come from variables.

    python benchmarks/arm_templates.py 1900 > /tmp/t.json
"""

from __future__ import annotations

import json
import sys

_DESCRIPTION = "Optional. " + "A description of the kind Bicep copies from the module's documentation. " * 6


def _module(index: int) -> dict:  # type: ignore[type-arg]
    """One nested deployment: 9 expressions (with its name variable: 10), 3 of them distinct per module."""
    inner = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "metadata": {"_generator": {"name": "bicep", "version": "0.30.0"}, "description": _DESCRIPTION},
        "parameters": {
            "name": {"type": "string", "metadata": {"description": _DESCRIPTION}},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "tags": {"type": "object", "defaultValue": {}},
        },
        "resources": [
            {
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": "2023-01-01",
                "name": "[parameters('name')]",
                "location": "[parameters('location')]",
                "tags": "[parameters('tags')]",
                "properties": {"kind": "[if(equals(parameters('name'), 'premium'), 'BlockBlobStorage', 'StorageV2')]"},
            }
        ],
        "outputs": {
            "resourceId": {"type": "string", "value": "[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]"}
        },
    }
    return {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": f"[format('{{0}}-module{index}', uniqueString(deployment().name))]",
        "properties": {
            "expressionEvaluationOptions": {"scope": "inner"},
            "mode": "Incremental",
            "parameters": {
                "name": {"value": f"[variables('name{index}')]"},
                "location": {"value": "[parameters('location')]"},
            },
            "template": inner,
        },
    }


def bicep_like(expressions: int) -> str:
    modules = max(1, expressions // 10)  # 10 expressions per module, 7 more around them
    parameters = {
        "prefix": {"type": "string", "defaultValue": "img", "metadata": {"description": _DESCRIPTION}},
        "location": {"type": "string", "defaultValue": "westeurope"},
        "packages": {"type": "array", "defaultValue": ["nginx", "curl", "jq"]},
    }
    variables: dict[str, object] = {
        f"name{i}": f"[toLower(format('{{0}}sa{{1}}', parameters('prefix'), {i}))]" for i in range(modules)
    }
    variables["installSteps"] = [
        {
            "type": "Shell",
            "name": "packages",
            "inline": ["[format('sudo apt-get install -y {0}', join(parameters('packages'), ' '))]"],
        }
    ]
    variables["script"] = "#!/bin/bash\nset -euo pipefail\nsudo apt-get update\nsudo apt-get install -y nginx\n"
    variables["scriptSteps"] = [{"type": "Shell", "name": "script", "inline": "[split(variables('script'), '\n')]"}]
    image = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2024-02-01",
        "name": "[format('{0}-{1}', parameters('prefix'), uniqueString(resourceGroup().id))]",
        "location": "[parameters('location')]",
        "identity": {
            "type": "UserAssigned",
            "userAssignedIdentities": {
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib": {}
            },
        },
        "properties": {
            "buildTimeoutInMinutes": 60,
            "vmProfile": {"vmSize": "Standard_D2s_v3"},
            "source": {
                "type": "PlatformImage",
                "publisher": "Canonical",
                "offer": "0001-com-ubuntu-server-jammy",
                "sku": "22_04-lts-gen2",
                "version": "latest",
            },
            "customize": "[union(variables('installSteps'), variables('scriptSteps'))]",
            "distribute": [
                {
                    "type": "ManagedImage",
                    "imageId": "[format('/subscriptions/{0}/resourceGroups/{1}/providers/Microsoft.Compute/images/{2}', subscription().subscriptionId, resourceGroup().name, parameters('prefix'))]",
                    "location": "[parameters('location')]",
                    "runOutputName": "image",
                }
            ],
        },
    }
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "metadata": {"_generator": {"name": "bicep", "version": "0.30.0"}},
        "parameters": parameters,
        "variables": variables,
        "resources": [image, *(_module(i) for i in range(modules))],
    }
    return json.dumps(template, indent=2)


def count_expressions(text: str) -> int:
    from aiblint.arm import is_expression
    from aiblint.jsontree import StringNode, parse

    return sum(1 for node in parse(text).walk() if isinstance(node, StringNode) and is_expression(node.text))


if __name__ == "__main__":
    sys.stdout.write(bicep_like(int(sys.argv[1]) if len(sys.argv) > 1 else 1900))
