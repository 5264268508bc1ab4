// A Linux image template using the common Bicep constructs.
@description('Where the template lives.')
param location string = 'westeurope'
param vmSize string = 'Standard_D2s_v3'
param extraPackages array = [
  'jq'
  'unzip'
]
param stagingName string?
var packages = join(union(['curl'], extraPackages), ' ')
var bootstrap = '''
set -e
sudo apt-get install ${packages}
'''
var greeting = 'echo \'hello\' \${HOME}'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'aib-identity'
}

resource image 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'ubuntu-${uniqueString(resourceGroup().id)}'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    buildTimeoutInMinutes: vmSize == 'Standard_D2s_v3' ? 90 : 60
    stagingResourceGroup: stagingName ?? null
    vmProfile: {
      vmSize: vmSize
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
        name: 'inline'
        inline: [
          'sudo apt-get update'
          'sudo apt-get install ${packages}'
          greeting
        ]
      }
      {
        type: 'Shell'
        name: 'bootstrap'
        inline: [
          bootstrap
        ]
      }
      {
        type: 'Shell'
        name: 'loaded'
        inline: [
          loadTextContent('scripts/setup.sh')
        ]
      }
    ]
    distribute: [for region in ['westeurope']: {
      type: 'ManagedImage'
      imageId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/ubuntu'
      location: region
      runOutputName: 'ubuntu-${region}'
    }]
  }
}
