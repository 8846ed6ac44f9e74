"""Neural-network operators (one family per module)."""
