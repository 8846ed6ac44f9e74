"""Gluon's neural network layers (``mx.gluon.nn``)."""

from .basic_layers import Activation, Dense, Dropout, Flatten, HybridSequential, Sequential

__all__ = ["Sequential", "HybridSequential", "Dense", "Dropout", "Flatten", "Activation"]
