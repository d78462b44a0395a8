"""Pure: the deduplicator (features, memory, decisions, the JSONL batch), its index,
similarity, fingerprints and headlines."""
