// Constructs tree-sitter-bicep 1.1 does not parse cost only the value they define.
extension microsoftGraph

var typed string = 'sudo apt-get install vim'
var base = { type: 'PlatformImage' }
var spread = { ...base, publisher: 'Canonical' }

resource image 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'unsupported'
  location: 'westeurope'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib': {}
    }
  }
  properties: {
    source: spread
    customize: [
      {
        type: 'Shell'
        name: 'typed'
        inline: [
          typed
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
