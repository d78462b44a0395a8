"""Pure: composing digests and feed alerts, rendering them, webhook bodies, unsubscribe links."""
