"""Pure: the deduplicator, its index, similarity, fingerprints and headlines."""
