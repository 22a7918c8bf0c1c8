"""Input languages read with positions: HCL and Terraform, ARM, CloudFormation."""
