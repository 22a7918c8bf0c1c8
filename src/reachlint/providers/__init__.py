"""Each provider's facts, written once: what its resources mean for the network."""
