resource "test_values" "all" {
  from_env          = var.from_env
  from_tfvars       = var.from_tfvars
  from_tfvars_json  = var.from_tfvars_json
  from_auto         = var.from_auto
  from_auto_json    = var.from_auto_json
  from_var_file     = var.from_var_file
  from_command_line = var.from_command_line
  untouched         = var.untouched
  ports             = var.ports
  rules             = var.rules
}
