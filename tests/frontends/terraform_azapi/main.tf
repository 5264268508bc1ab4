# An azapi image template: variables, tfvars, locals, interpolation, escapes, heredoc, file().
variable "location" {
  type    = string
  default = "eastus"
}

variable "packages" {
  type = list(string)
}

locals {
  install = "sudo apt-get install ${join(" ", var.packages)}"
}

resource "azapi_resource" "image" {
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "linux-${var.location}"
  location  = var.location
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
          type   = "Shell"
          name   = "inline"
          inline = [local.install, "echo $${HOME} \"quoted\""]
        },
        {
          type = "Shell"
          name = "heredoc"
          inline = [<<-EOT
            set -e
            sudo apt-get install tree
          EOT
          ]
        },
        {
          type   = "Shell"
          name   = "file"
          inline = [file("${path.module}/scripts/setup.sh")]
        },
      ]
      distribute = [for region in [var.location] : {
        type          = "ManagedImage"
        imageId       = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/linux"
        location      = region
        runOutputName = "linux-${region}"
      }]
    }
  }
}
