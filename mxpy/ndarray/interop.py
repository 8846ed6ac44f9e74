"""Filled in by its owner; see ndarray/__init__.py."""
