# count and for_each: a known collection is expanded (each.key, each.value, count.index
# bound), an unknown one is linted once, count = 0 deploys nothing.
variable "images" {
  type = map(object({ size = string, package = string }))
  default = {
    small = { size = "Standard_D2s_v3", package = "git" }
    large = { size = "Standard_D4s_v3", package = "curl" }
  }
}

variable "copies" {
  type = number
}

variable "replicas" {
  type = number
}

variable "enabled" {
  type    = bool
  default = false
}

locals {
  identity = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
  source   = { type = "PlatformImage", publisher = "Canonical", offer = "0001-com-ubuntu-server-jammy", sku = "22_04-lts-gen2", version = "latest" }
}

resource "azapi_resource" "each" {
  for_each  = var.images
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "each-${each.key}"
  location  = "westeurope"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images"
  identity {
    type         = "UserAssigned"
    identity_ids = [local.identity]
  }
  body = {
    properties = {
      vmProfile = { vmSize = each.value.size }
      source    = local.source
      customize = [
        { type = "Shell", name = "per-key", inline = ["sudo apt-get install ${each.value.package}"] },
        { type = "Shell", name = "same-in-each", inline = ["sudo yum install httpd"] }
      ]
      distribute = [{ type = "ManagedImage", imageId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/each-${each.key}", location = "westeurope", runOutputName = "each-${each.key}" }]
    }
  }
}

resource "azapi_resource" "counted" {
  count     = var.copies
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "copy-${count.index}"
  location  = "westeurope"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images"
  identity {
    type         = "UserAssigned"
    identity_ids = [local.identity]
  }
  body = {
    properties = {
      source     = local.source
      customize  = [{ type = "Shell", name = "counted", inline = ["sudo zypper install vim"] }]
      distribute = [{ type = "ManagedImage", imageId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/copy-${count.index}", location = "westeurope", runOutputName = "copy-${count.index}" }]
    }
  }
}

resource "azapi_resource" "unknown" {
  count     = var.replicas
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "replica-${count.index}"
  location  = "westeurope"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images"
  identity {
    type         = "UserAssigned"
    identity_ids = [local.identity]
  }
  body = {
    properties = {
      source     = local.source
      customize  = [{ type = "Shell", name = "unknown-count", inline = ["sudo dnf install tree"] }]
      distribute = [{ type = "ManagedImage", imageId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/replica", location = "westeurope", runOutputName = "replica-${count.index}" }]
    }
  }
}

resource "azapi_resource" "disabled" {
  count     = var.enabled ? 1 : 0
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "disabled"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images"
  body = {
    properties = {
      customize = [{ type = "Shell", name = "not-deployed", inline = ["sudo apt-get install nothing"] }]
    }
  }
}
