"""Azure: defaults, what a missing attribute means, what becomes an endpoint."""
