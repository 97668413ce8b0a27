"""Optimistic versioning shared by every mutable record (races are tested per domain, e.g. inventory)."""

from __future__ import annotations

import pytest

from tracker.errors import Stale
from tracker.records import check_version


class _Record:
    version = 3


def test_matching_or_absent_if_match_passes() -> None:
    check_version(_Record(), 3, what="Femtocell 1")
    check_version(_Record(), None, what="Femtocell 1")


def test_stale_if_match_is_412_naming_the_current_version() -> None:
    with pytest.raises(Stale, match="version 3, not 2"):
        check_version(_Record(), 2, what="Femtocell 1")
