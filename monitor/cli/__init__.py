"""I/O: the ``newswatch`` command, one module per command group. Nothing imports it."""
