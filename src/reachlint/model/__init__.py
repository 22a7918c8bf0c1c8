"""The network model every input becomes and the engine reads."""
