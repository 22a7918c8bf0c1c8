from_var_file     = "given.tfvars"
from_command_line = "given.tfvars"
