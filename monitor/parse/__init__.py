"""Pure: feed bytes into stories (feeds, JSON Feed, OPML, decompression, canonical URLs)."""
