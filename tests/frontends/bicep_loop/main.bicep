// Resource loops: a known list is expanded (one instance per item, the loop variables bound),
// an unknown one is linted once, a known false condition deploys nothing.
param sizes array = [
  'Standard_D2s_v3'
  'Standard_D4s_v3'
]
param regions array
var packages = [
  'git'
  'curl'
]
var identity = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib'

resource images 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = [for (size, i) in sizes: {
  name: 'loop-${i}'
  location: 'westeurope'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity}': {}
    }
  }
  properties: {
    vmProfile: {
      vmSize: size
    }
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
        name: 'per-item'
        inline: [
          'sudo apt-get install ${packages[i]}'
        ]
      }
      {
        type: 'Shell'
        name: 'same-in-each'
        inline: [
          'sudo yum install httpd'
        ]
      }
    ]
    distribute: [
      {
        type: 'ManagedImage'
        imageId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/loop-${i}'
        location: 'westeurope'
        runOutputName: 'loop-${i}'
      }
    ]
  }
}]

resource perRegion 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = [for region in regions: {
  name: 'region-${region}'
  location: region
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity}': {}
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
        name: 'unknown-loop'
        inline: [
          'sudo dnf install vim'
        ]
      }
    ]
    distribute: [
      {
        type: 'ManagedImage'
        imageId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/r'
        location: region
        runOutputName: 'region-${region}'
      }
    ]
  }
}]

resource never 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = [for i in range(0, 2): if (i > 5) {
  name: 'never-${i}'
  location: 'westeurope'
  properties: {
    customize: [
      {
        type: 'Shell'
        name: 'not-deployed'
        inline: [
          'sudo apt-get install nothing'
        ]
      }
    ]
  }
}]
