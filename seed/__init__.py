"""Seed data (plan, controls, zero-trust model, review cadence, commitments, incident facts) and generators."""

from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent
