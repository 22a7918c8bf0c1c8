"""Terraform's providers (aws, azurerm): resource records to the model."""
