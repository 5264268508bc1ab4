# count and for_each on a local module: one deployment per key, its arguments evaluated per key.
locals {
  images = {
    tools = "sudo dnf install git"
    web   = "sudo dnf install nginx"
  }
}

module "image" {
  source   = "./modules/image"
  for_each = local.images
  script   = each.value
  suffix   = each.key
}
