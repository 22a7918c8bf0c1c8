"""reachlint: prove or refute network reachability rules on infrastructure code before apply."""

__version__ = "0.1.0"
