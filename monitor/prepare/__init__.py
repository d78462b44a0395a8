"""Pure: the work done on one feed body in a parser process (scan, parse, match, features)."""
