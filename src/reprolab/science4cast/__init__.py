"""Science4Cast."""
