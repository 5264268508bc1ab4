// Every fix the JSON path offers, written in Bicep: escapes, ''' strings, interpolation.
param location string = 'westeurope'
var pkg = 'git'
var multi = '''
set -e
sudo yum install httpd
'''

resource linux 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'fix-linux'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib': {}
    }
  }
  properties: {
    buildTimeoutInMinutes: 60
    vmProfile: { vmSize: 'Standard_D2s_v3' }
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
          'echo \'it\\s\' && sudo apt-get install curl'
          'sudo apt-get install ${pkg}'
          'apt-get upgrade'
        ]
      }
      {
        type: 'Shell'
        name: 'multi'
        inline: [ multi ]
      }
      {
        type: 'Shell'
        name: 'joined'
        inline: [ join(['sudo apt-get install', 'vim', 'jq'], ' ') ]
      }
      {
        type: 'Shell'
        name: 'remote'
        scriptUri: 'https://github.com/contoso/images/blob/main/setup.sh'
        sha256Checksum: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae'
      }
    ]
    distribute: [
      {
        type: 'ManagedImage'
        imageId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/fix-linux'
        location: location
        runOutputName: 'fix-linux'
      }
    ]
  }
}

resource windows 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'fix-windows'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib': {}
    }
  }
  properties: {
    buildTimeoutInMinutes: 120
    vmProfile: { vmSize: 'Standard_D4s_v3' }
    source: {
      type: 'PlatformImage'
      publisher: 'MicrosoftWindowsServer'
      offer: 'WindowsServer'
      sku: '2022-datacenter-g2'
      version: 'latest'
    }
    customize: [
      {
        type: 'PowerShell'
        name: 'install'
        runElevated: true
        inline: [
          'Install-Module -Name \'Az\''
          'msiexec /i C:\\temp\\agent.msi'
        ]
      }
    ]
    distribute: [
      {
        type: 'ManagedImage'
        imageId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/fix-windows'
        location: location
        runOutputName: 'fix-windows'
      }
    ]
  }
}
