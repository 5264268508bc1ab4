param script string
param templateName string

resource image 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: templateName
  location: 'westeurope'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib': {}
    }
  }
  properties: {
    source: {
      type: 'PlatformImage'
      publisher: 'Canonical'
      offer: '0001-com-ubuntu-server-jammy'
      sku: '22_04-lts-gen2'
      version: 'latest'
    }
    customize: [
      {
        type: 'Shell'
        name: 'setup'
        inline: [
          script
          'sudo apt-get install -y curl'
        ]
      }
    ]
    distribute: [
      {
        type: 'ManagedImage'
        imageId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/linux'
        location: 'westeurope'
        runOutputName: 'linux'
      }
    ]
  }
}
