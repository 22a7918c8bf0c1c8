from_tfvars       = "terraform.tfvars"
from_tfvars_json  = "terraform.tfvars"
from_auto         = "terraform.tfvars"
from_auto_json    = "terraform.tfvars"
from_var_file     = "terraform.tfvars"
from_command_line = "terraform.tfvars"
rules = {
  ssh = { port = "22" }
}
