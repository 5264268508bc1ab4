# azapi v1 bodies (jsonencode, a JSON heredoc), an ARM template deployment and a local module.
variable "vm_size" {
  default = "Standard_D2s_v3"
}

resource "azapi_resource" "encoded" {
  type     = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name     = "encoded-${formatdate("YYYYMMDD", timestamp())}"
  location = "westeurope"
  identity {
    type         = "UserAssigned"
    identity_ids = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"]
  }
  body = jsonencode({
    properties = {
      vmProfile = { vmSize = var.vm_size }
      source    = { type = "PlatformImage", publisher = "Canonical", offer = "0001-com-ubuntu-server-jammy", sku = "22_04-lts-gen2", version = "latest" }
      customize = [{ type = "Shell", name = "encoded", inline = ["sudo yum install httpd"] }]
      distribute = [{ type = "ManagedImage", imageId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/a", location = "westeurope", runOutputName = "a" }]
    }
  })
}

resource "azapi_resource" "heredoc" {
  type     = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name     = "heredoc-${formatdate("YYYYMMDD", timestamp())}"
  location = "westeurope"
  identity {
    type         = "UserAssigned"
    identity_ids = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"]
  }
  body = <<-JSON
    {
      "properties": {
        "vmProfile": { "vmSize": "${var.vm_size}" },
        "source": { "type": "PlatformImage", "publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest" },
        "customize": [{ "type": "Shell", "name": "heredoc", "inline": ["echo $${USER}", "sudo apt-get install jq"] }],
        "distribute": [{ "type": "ManagedImage", "imageId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/b", "location": "westeurope", "runOutputName": "b" }]
      }
    }
  JSON
}

resource "azurerm_resource_group_template_deployment" "arm" {
  name                = "aib"
  resource_group_name = "images"
  deployment_mode     = "Incremental"
  template_content    = file("${path.module}/aib.json")
}

module "image" {
  source = "./modules/image"
  script = "sudo dnf install git"
}
