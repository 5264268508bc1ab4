variable "script" {
  type = string
}

variable "suffix" {
  type = string
}

resource "azapi_resource" "image" {
  type     = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name     = "image-${var.suffix}"
  location = "westeurope"
  identity {
    type         = "UserAssigned"
    identity_ids = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"]
  }
  body = {
    properties = {
      source     = { type = "PlatformImage", publisher = "Canonical", offer = "0001-com-ubuntu-server-jammy", sku = "22_04-lts-gen2", version = "latest" }
      customize  = [{ type = "Shell", name = "module", inline = [var.script] }]
      distribute = [{ type = "ManagedImage", imageId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/${var.suffix}", location = "westeurope", runOutputName = var.suffix }]
    }
  }
}
