from_auto         = "a.auto.tfvars"
from_auto_json    = "a.auto.tfvars"
from_var_file     = "a.auto.tfvars"
from_command_line = "a.auto.tfvars"
