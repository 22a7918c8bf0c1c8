"""Terraform configuration (HCL native syntax): parsing, evaluation and module expansion."""
