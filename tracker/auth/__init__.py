"""API tokens, roles and the principal every write is attributed to."""
