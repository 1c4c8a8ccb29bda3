"""reprolab: reproductions of six machine-learning research systems."""

__version__ = "0.1.0"
