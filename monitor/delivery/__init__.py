"""I/O: composing what is due and delivering it by SMTP, webhook or the outbox."""
