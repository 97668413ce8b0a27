"""Femtocells, legacy equipment, access events, bulk import and replacement tracking."""
