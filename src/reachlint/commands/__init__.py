"""The command line and what each command composes from the layers below."""
