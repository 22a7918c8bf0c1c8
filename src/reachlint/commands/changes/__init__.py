"""Changes: diff, baselines and suppressions."""
