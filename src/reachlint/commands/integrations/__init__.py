"""Integrations: GitHub, pre-commit and checkov."""
