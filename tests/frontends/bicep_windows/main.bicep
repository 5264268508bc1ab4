// Rule families: PowerShell, File, timeouts and sizes, schema errors, placeholders, secrets.
param adminPassword string = 'P@ssw0rd-not-a-real-one-123!'
var sas = 'sv=2022-11-02&se=2030-01-01&sr=b&sp=r&sig=abcdefghijklmnopqrstuvwxyz0123456789%3D'

resource win 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'win-<your-name>'
  location: 'westeurope'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib': {}
    }
  }
  properties: {
    buildTimeoutInMinutes: 'ninety'
    vmProfile: {
      vmSize: 'Standard_D2s_v3'
      osDiskSizeGb: 127
    }
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
          'Start-Process -FilePath C:\\temp\\setup.exe -Wait'
          'Install-Module -Name Az'
          'net user builder ${adminPassword} /add'
          '$env:DB_PASSWORD = \'Xk9#mQ2$vL7pW4zR\''
        ]
      }
      {
        type: 'File'
        name: 'config'
        sourceUri: 'https://contoso.blob.core.windows.net/files/config.zip?${sas}'
        destination: 'C:\\config.zip'
      }
      {
        type: 'WindowsRestart'
      }
    ]
    distribute: [
      {
        type: 'ManagedImage'
        imageId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/images/win'
        location: 'westeurope'
        runOutputName: 'win'
      }
    ]
  }
}
