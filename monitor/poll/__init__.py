"""I/O: one poll cycle: claim, fetch, parse in processes, deduplicate, write."""
