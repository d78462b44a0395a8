"""Pure: what a watchlist match becomes, and a watchlist tried on stored stories."""
