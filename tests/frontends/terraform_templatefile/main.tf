# templatefile(): a Shell script rendered from a template file with its variables.
variable "package" {
  type = string # no default: known only at plan time
}

locals {
  tools = { name = "jq" }
}

resource "azapi_resource" "image" {
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "template-${local.tools.name}"
  location  = "eastus"
  parent_id = azurerm_resource_group.images.id

  identity {
    type         = "UserAssigned"
    identity_ids = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"]
  }

  body = {
    properties = {
      source = {
        type      = "PlatformImage"
        publisher = "Canonical"
        offer     = "0001-com-ubuntu-server-jammy"
        sku       = "22_04-lts-gen2"
        version   = "latest"
      }
      customize = [
        {
          type = "Shell"
          name = "rendered"
          inline = [templatefile("${path.module}/scripts/setup.sh.tftpl", {
            title         = "setup"
            with_tools    = true
            tool          = local.tools
            packages      = ["git", "make"]
            extra_command = "sudo apt-get upgrade"
          })]
        },
        {
          type = "Shell"
          name = "directives"
          inline = [templatefile("${path.module}/scripts/repos.sh.tftpl", {
            repos         = { b = "https://example.com/b", a = "https://example.com/a" }
            enable_legacy = false
          })]
        },
        {
          type   = "Shell"
          name   = "unknown"
          inline = [templatefile("${path.module}/scripts/unknown.sh.tftpl", { package = var.package })]
        },
      ]
      distribute = [{
        type          = "ManagedImage"
        imageId       = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/linux"
        location      = "eastus"
        runOutputName = "linux"
      }]
    }
  }
}
