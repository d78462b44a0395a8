"""I/O: HTTP fetching, the network guard, politeness limits, discovery, documents."""
