"""Design reviews: query, matrix and graph."""
