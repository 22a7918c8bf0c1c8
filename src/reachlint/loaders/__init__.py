"""Loaders: one per input kind, each turning its input into the network model."""
