variable "from_env" {
  default = "default"
}

variable "from_tfvars" {
  default = "default"
}

variable "from_tfvars_json" {
  default = "default"
}

variable "from_auto" {
  default = "default"
}

variable "from_auto_json" {
  default = "default"
}

variable "from_var_file" {
  default = "default"
}

variable "from_command_line" {
  default = "default"
}

variable "untouched" {
  default = "default"
}

variable "ports" {
  type    = list(number)
  default = []
}

variable "rules" {
  type = map(object({
    port     = number
    protocol = optional(string, "tcp")
  }))
  default = {}
}
