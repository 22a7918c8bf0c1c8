"""Terraform's own documents: plans and configurations as resource records."""
