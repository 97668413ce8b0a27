"""A crafted dataset for the exposure analysis, with its totals computed by hand (see the comments)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from inventory.access_events import service
from inventory.imports import ImportFormat
from tests.inventory.factories import access_event, csv_bytes, make_femtocell
from tracker.auth.models import Principal

ACTIVE = "45008-00000A1"
DECOMMISSIONED = "45008-00000D1"  # decommissioned 2026-03-01, certificate revoked: blocked
LOST = "45008-00000B2"  # lost 2026-05-01
LOST_EARLIER = "45008-00000B3"  # lost 2026-05-01, seen only before: not unauthorized
BLOCKED = "45008-00000B1"  # blocked 2026-02-01
REGISTERED = "45008-00000C1"
SUSPENDED = "45008-00000C2"
ILLEGAL_1 = "99999-ILLEGAL1"
ILLEGAL_2 = "99999-ILLEGAL2"
ILLEGAL_3 = "99999-ILLEGAL3"  # only rejected attempts

# Raw subscriber ids (IMSIs): they must never come back out of anything.
SUBSCRIBERS = {f"s{n}": f"4500800000000{n:02d}" for n in range(1, 12)}

# (cell, subscriber, day in 2026 as MM-DD, result)
EVENTS: list[tuple[str, str, str, str]] = [
    (ACTIVE, "s1", "01-05", "accepted"),  # authorized: never exposure
    (ACTIVE, "s2", "01-06", "accepted"),
    (DECOMMISSIONED, "s1", "02-01", "accepted"),  # before decommissioning: not counted
    (DECOMMISSIONED, "s3", "04-01", "accepted"),
    (DECOMMISSIONED, "s3", "04-02", "accepted"),
    (DECOMMISSIONED, "s4", "04-03", "rejected"),
    (LOST, "s5", "01-01", "accepted"),  # before it was lost: not counted
    (LOST, "s2", "06-01", "accepted"),
    (LOST_EARLIER, "s6", "04-01", "accepted"),
    (BLOCKED, "s1", "03-01", "rejected"),
    (REGISTERED, "s7", "01-15", "accepted"),
    (SUSPENDED, "s8", "02-10", "accepted"),
    (ILLEGAL_1, "s1", "01-10", "accepted"),
    (ILLEGAL_1, "s2", "01-11", "accepted"),
    (ILLEGAL_1, "s3", "01-12", "accepted"),
    (ILLEGAL_1, "s9", "01-13", "rejected"),
    (ILLEGAL_1, "s1", "07-01", "accepted"),
    (ILLEGAL_2, "s3", "03-15", "accepted"),
    (ILLEGAL_2, "s10", "03-16", "rejected"),
    (ILLEGAL_3, "s11", "08-01", "rejected"),
]

# Unauthorized: DECOMMISSIONED, LOST, BLOCKED, REGISTERED, SUSPENDED and the three illegal ids.
# Exposed: DECOMMISSIONED {s3}, LOST {s2}, REGISTERED {s7}, SUSPENDED {s8}, ILLEGAL_1 {s1, s2, s3}, ILLEGAL_2 {s3}
# -> 8 per cell, but {s1, s2, s3, s7, s8} = 5 distinct subscribers.
EXPECTED_TOTALS: dict[str, Any] = {
    "unauthorized_cells": 8,
    "cells_not_in_inventory": 3,
    "cells_with_accepted_attaches": 6,
    "cells_not_blocked": 6,  # all but DECOMMISSIONED (certificate revoked) and BLOCKED
    "exposed_subscribers": 5,
    "accepted_attaches": 10,  # 2 + 1 + 1 + 1 + 4 + 1
    "rejected_attempts": 5,  # DECOMMISSIONED, BLOCKED, ILLEGAL_1, ILLEGAL_2, ILLEGAL_3: one each
    "first_accepted_at": datetime(2026, 1, 10, 3, 0, tzinfo=UTC),
    "last_accepted_at": datetime(2026, 7, 1, 3, 0, tzinfo=UTC),
}

# since 2026-03-01, until 2026-06-30 (inclusive): DECOMMISSIONED, LOST, BLOCKED (03-01) and ILLEGAL_2.
WINDOW = {"since": "2026-03-01T00:00:00Z", "until": "2026-06-30T23:59:59Z"}
EXPECTED_WINDOW_TOTALS: dict[str, Any] = {
    "unauthorized_cells": 4,
    "cells_not_in_inventory": 1,
    "cells_with_accepted_attaches": 3,
    "cells_not_blocked": 2,
    "exposed_subscribers": 2,  # {s3, s2}
    "accepted_attaches": 4,
    "rejected_attempts": 3,
    "first_accepted_at": datetime(2026, 3, 15, 3, 0, tzinfo=UTC),
    "last_accepted_at": datetime(2026, 6, 1, 3, 0, tzinfo=UTC),
}


ACTIVATED = "2025-12-01T00:00:00Z"  # units activated before any event: their attaches until they left service are fine


def _at(day: str) -> str:
    return f"2026-{day}T12:00:00+09:00"  # 03:00 UTC


def load(session: Session, actor: Principal) -> None:
    """Create the femtocells and ingest the events as one batch."""
    make_femtocell(session, actor, cell_id=ACTIVE, status="active")
    make_femtocell(
        session,
        actor,
        cell_id=DECOMMISSIONED,
        status="decommissioned",
        activated_at=ACTIVATED,
        decommissioned_at="2026-03-01T00:00:00Z",
        cert_revoked_at="2026-03-02T00:00:00Z",
    )
    make_femtocell(session, actor, cell_id=LOST, status="lost", activated_at=ACTIVATED, lost_at="2026-05-01T00:00:00Z")
    make_femtocell(
        session, actor, cell_id=LOST_EARLIER, status="lost", activated_at=ACTIVATED, lost_at="2026-05-01T00:00:00Z"
    )
    make_femtocell(
        session, actor, cell_id=BLOCKED, status="blocked", activated_at=ACTIVATED, blocked_at="2026-02-01T00:00:00Z"
    )
    make_femtocell(session, actor, cell_id=REGISTERED, status="registered")
    make_femtocell(session, actor, cell_id=SUSPENDED, status="suspended")
    rows = [
        access_event(cell_id=cell, subscriber_id=SUBSCRIBERS[who], occurred_at=_at(day), result=result)
        for cell, who, day, result in EVENTS
    ]
    service.ingest_stream(
        session=session, stream=io.BytesIO(csv_bytes(rows)), fmt=ImportFormat.csv, source="exposure.csv", actor=actor
    )
