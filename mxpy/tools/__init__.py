"""Command-line tools: ``python -m mxpy.tools.im2rec``."""
