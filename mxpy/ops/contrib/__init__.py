"""MXNet's ``_contrib_*`` operators (``mx.nd.contrib.*``, ``mx.sym.contrib.*``), one family per module."""
