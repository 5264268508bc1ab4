resource image 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'x'
  properties: {
    source: {
      type: = 'PlatformImage'
    }
  }
}
