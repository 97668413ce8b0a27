"""The append-only, hash-chained audit log every change is written to."""
