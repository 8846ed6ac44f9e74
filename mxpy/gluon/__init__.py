"""``mx.gluon``: the imperative/hybrid front end (this branch holds its data package only)."""

from . import data

__all__ = ["data"]
