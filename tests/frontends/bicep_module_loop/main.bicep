// A module loop: one deployment per item of a known list, its params evaluated per item.
var images = [
  {
    name: 'tools'
    script: 'sudo apt-get install git'
  }
  {
    name: 'web'
    script: 'sudo apt-get install nginx'
  }
]

module builds './modules/image.bicep' = [for (image, i) in images: {
  name: 'build-${i}'
  params: {
    script: image.script
    templateName: 'linux-${image.name}'
  }
}]
