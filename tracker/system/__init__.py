"""Installation-wide facts kept in the database (e.g. whether it holds demo data)."""
