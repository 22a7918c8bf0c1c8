"""The reachability engine: from a network model to exact sets of flows between endpoints."""
