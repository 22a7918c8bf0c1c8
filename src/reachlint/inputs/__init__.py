"""What a PATH is and how it becomes one network model."""
