"""Replacement of legacy equipment: waves, assignments, planned vs actual progress and the forecast."""
