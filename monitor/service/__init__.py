"""I/O: one cycle of the whole service, the daemon, the demo."""
