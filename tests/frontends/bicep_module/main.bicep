// A local module with parameters passed in; a registry module is noted, not followed.
var installLine = 'sudo apt-get install git'

module image './modules/image.bicep' = {
  name: 'image'
  params: {
    script: installLine
    templateName: 'linux-image'
  }
}

module remote 'br/public:avm/res/virtual-machine-images/image-template:0.4.0' = {
  name: 'remote'
  params: {}
}
