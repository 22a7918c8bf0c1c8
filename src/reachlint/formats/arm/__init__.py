"""ARM template evaluation: JSON with positions, expressions, functions, template expansion."""
