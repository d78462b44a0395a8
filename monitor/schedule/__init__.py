"""Pure: when to poll a feed (politeness, health) and when a digest is due."""
