# Every fix the JSON path offers, written in HCL: escapes, heredocs, a JSON heredoc body.
variable "location" {
  type    = string
  default = "westeurope"
}

locals {
  identity = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
  pkg      = "git"
}

resource "azapi_resource" "linux" {
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "fix-linux"
  location  = var.location
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images"
  identity {
    type         = "UserAssigned"
    identity_ids = [local.identity]
  }
  body = {
    properties = {
      buildTimeoutInMinutes = 60
      vmProfile             = { vmSize = "Standard_D2s_v3" }
      source                = { type = "PlatformImage", publisher = "Canonical", offer = "0001-com-ubuntu-server-jammy", sku = "22_04-lts-gen2", version = "latest" }
      customize = [
        {
          type = "Shell"
          name = "inline"
          inline = [
            "echo \"it's\" $${HOME} && sudo apt-get install curl",
            "sudo apt-get install ${local.pkg}",
            "apt-get upgrade",
          ]
        },
        {
          type = "Shell"
          name = "heredoc"
          inline = [<<-EOT
            set -e
            sudo yum install httpd
          EOT
          ]
        },
        {
          type      = "Shell"
          name      = "remote"
          scriptUri = "https://github.com/contoso/images/blob/main/setup.sh"
          sha256Checksum = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
        },
        {
          type   = "Shell"
          name   = "loaded"
          inline = [file("${path.module}/scripts/setup.sh")]
        }
      ]
      distribute = [{ type = "ManagedImage", imageId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/fix-linux", location = "westeurope", runOutputName = "fix-linux" }]
    }
  }
}

resource "azapi_resource" "windows" {
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "fix-windows"
  location  = var.location
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images"
  identity {
    type         = "UserAssigned"
    identity_ids = [local.identity]
  }
  body = {
    properties = {
      buildTimeoutInMinutes = 120
      vmProfile             = { vmSize = "Standard_D4s_v3" }
      source                = { type = "PlatformImage", publisher = "MicrosoftWindowsServer", offer = "WindowsServer", sku = "2022-datacenter-g2", version = "latest" }
      customize = [
        {
          type        = "PowerShell"
          name        = "install"
          runElevated = true
          inline      = ["Install-Module -Name \"Az\"", "msiexec /i C:\\temp\\agent.msi"]
        }
      ]
      distribute = [{ type = "ManagedImage", imageId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/fix-windows", location = "westeurope", runOutputName = "fix-windows" }]
    }
  }
}

resource "azapi_resource" "heredoc" {
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2022-02-14"
  name      = "fix-json"
  location  = var.location
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images"
  identity {
    type         = "UserAssigned"
    identity_ids = [local.identity]
  }
  body = <<-JSON
    {
      "properties": {
        "buildTimeoutInMinutes": 120,
        "vmProfile": { "vmSize": "Standard_D4s_v3" },
        "source": { "type": "PlatformImage", "publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-g2", "version": "latest" },
        "customize": [
          { "type": "PowerShell", "name": "install", "inline": ["echo \"$${env:TEMP}\"; msiexec /i C:\\temp\\agent.msi /qn; Install-Module -Name Pester"] }
        ],
        "distribute": [{ "type": "ManagedImage", "imageId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/fix-json", "location": "westeurope", "runOutputName": "fix-json" }]
      }
    }
  JSON
}
