"""CloudFormation templates: JSON and YAML with positions, and their intrinsic functions."""
