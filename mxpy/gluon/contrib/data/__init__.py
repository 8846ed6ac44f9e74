"""``mx.gluon.contrib.data``: contributed samplers (MXNet's text datasets, which download, are not here)."""

from .sampler import IntervalSampler

__all__ = ["IntervalSampler"]
