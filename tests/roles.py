"""Role sets for the route × role matrix, and the collector that merges every package's `roles.py`."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

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
    """Merge the MATRIX of every roles.py below tests/ (any depth); a route listed twice is an error."""
    merged: Matrix = {}
    for module in _role_modules():
        for key, roles in module.MATRIX.items():
            assert key not in merged, f"{key} is listed in two roles.py files"
            merged[key] = set(roles)
    return merged


def collect_not_2xx_when_empty() -> set[tuple[str, str]]:
    """GET routes without path parameters that legitimately answer 404/409 on an empty database.

    A package lists them in `NOT_2XX_WHEN_EMPTY` in its roles.py (e.g. a summary of a program not yet seeded).
    """
    found: set[tuple[str, str]] = set()
    for module in _role_modules():
        found |= set(getattr(module, "NOT_2XX_WHEN_EMPTY", set()))
    return found


def _role_modules() -> list[ModuleType]:
    root = Path(__file__).resolve().parent
    modules = []
    for path in sorted(root.rglob("roles.py")):
        if path.parent == root:
            continue
        dotted = ".".join(("tests", *path.relative_to(root).with_suffix("").parts))
        modules.append(importlib.import_module(dotted))
    return modules
