"""A synthetic Terraform root module file the way real image-builder modules are written:
one azapi image template among role assignments, identities, outputs, and ``variable``
blocks with long descriptions and validations (written here, not copied from anywhere)."""

from __future__ import annotations


def module_text(variables: int = 20, resources: int = 10) -> str:
    parts = [
        'terraform {\n  required_providers {\n    azapi = { source = "Azure/azapi", version = "~> 2.0" }\n  }\n}\n',
    ]
    for i in range(variables):
        parts.append(
            f'variable "setting_{i}" {{\n  type        = string\n  default     = "value-{i}"\n'
            "  description = <<DESCRIPTION\n"
            + "".join(f"The {i}th setting, line {n}: what it does, when to change it, and its default.\n" for n in range(8))
            + "DESCRIPTION\n"
            f'  validation {{\n    condition     = length(var.setting_{i}) > 0 && can(regex("^[a-z0-9-]+$", var.setting_{i}))\n'
            '    error_message = "The setting must be lower-case letters, digits and dashes."\n  }\n}\n'
        )
    for i in range(resources):
        parts.append(
            f'resource "azurerm_role_assignment" "r{i}" {{\n  scope                = azurerm_resource_group.images.id\n'
            f'  role_definition_name = "Contributor"\n  principal_id         = azurerm_user_assigned_identity.aib.principal_id\n'
            f'  description          = "assignment {i} for ${{var.setting_{i % variables}}}"\n}}\n'
            f'output "o{i}" {{\n  value = {{ id = azurerm_role_assignment.r{i}.id, name = "r{i}" }}\n}}\n'
        )
    parts.append(
        'resource "azapi_resource" "image" {\n'
        '  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"\n'
        '  name      = "img-${var.setting_0}"\n  location  = "westeurope"\n'
        "  parent_id = azurerm_resource_group.images.id\n"
        '  identity {\n    type         = "UserAssigned"\n    identity_ids = [azurerm_user_assigned_identity.aib.id]\n  }\n'
        "  body = {\n    properties = {\n"
        '      source    = { type = "PlatformImage", publisher = "Canonical", offer = "0001-com-ubuntu-server-jammy", sku = "22_04-lts-gen2", version = "latest" }\n'
        '      customize = [{ type = "Shell", name = "setup", inline = ["sudo apt-get install -y ${var.setting_1}"] }]\n'
        '      distribute = [{ type = "ManagedImage", imageId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/img", location = "westeurope", runOutputName = "img" }]\n'
        "    }\n  }\n}\n"
    )
    return "".join(parts)
