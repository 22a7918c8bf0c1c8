"""Input dialects: each input's resources translated into a provider's terms."""
