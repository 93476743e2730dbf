"""negotiations-kg: a linked-data publisher for diplomatic negotiations."""

__version__ = "0.1.0"
