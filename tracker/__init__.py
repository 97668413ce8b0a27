"""sectrack core: app factory, settings, database, auth, audit chain and the plan domains."""

__version__ = "0.1.0"
