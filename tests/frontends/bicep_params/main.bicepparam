using 'main.bicep'

param script = 'sudo apt-get install htop'
param templateName = 'from-params'
