"""Role sets for the route × role matrix, and the collector that merges every package's `roles.py`."""

from __future__ import annotations

import importlib
from pathlib import Path

from tracker.auth.models import Role

A, S, C, B, R = Role.admin, Role.staff, Role.ciso, Role.board, Role.regulator
EVERYONE = {A, S, C, B, R}
WRITERS = {A, S, C}
APPROVERS = {A, C}
READERS = {A, S, C, R}
REPORT_READERS = {A, S, C, B, R}
AUDITORS = {A, R}
ADMIN_ONLY = {A}

Matrix = dict[tuple[str, str], set[Role]]


def collect_matrix() -> Matrix:
    """Merge the MATRIX of every tests/<package>/roles.py; a route listed twice is an error."""
    merged: Matrix = {}
    root = Path(__file__).resolve().parent
    for path in sorted(root.glob("*/roles.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.roles")
        for key, roles in module.MATRIX.items():
            assert key not in merged, f"{key} is listed in two roles.py files"
            merged[key] = set(roles)
    return merged


def collect_not_2xx_when_empty() -> set[tuple[str, str]]:
    """GET routes without path parameters that legitimately answer 404/409 on an empty database.

    A package lists them in `NOT_2XX_WHEN_EMPTY` in its roles.py (e.g. a summary of a program not yet seeded).
    """
    found: set[tuple[str, str]] = set()
    root = Path(__file__).resolve().parent
    for path in sorted(root.glob("*/roles.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.roles")
        found |= set(getattr(module, "NOT_2XX_WHEN_EMPTY", set()))
    return found
