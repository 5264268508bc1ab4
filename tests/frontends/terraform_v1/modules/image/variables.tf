variable "script" {
  type = string
}
