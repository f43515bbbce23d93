"""The version of verhalen (one place; ``verhalen.__version__`` re-exports it)."""

__version__ = "0.1.0"
