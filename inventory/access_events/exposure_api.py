"""The exposure analysis over HTTP: totals and top cells, every unauthorized cell (paged), one cell, its subscribers.

Aggregates are for every reader (staff, CISO, admin, regulator); the board reads them in its report instead. The
pseudonyms of one cell's exposed subscribers are for investigators only (staff, CISO, admin), never the regulator
or the board: a pseudonym is still personal data (it links a subscriber's attaches across cells and time).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from inventory.access_events import exposure
from inventory.access_events.exposure import ExposedCell, ExposedSubscriber, ExposureSummary, ExposureWindow
from inventory.fields import KEY_PATTERN
from tracker.auth.models import WRITERS, Principal
from tracker.deps import Cursor, Limit, Reader, ReadSessionDep, require_roles
from tracker.pagination import DEFAULT_LIMIT, Page

router = APIRouter(prefix="/exposure", tags=["exposure"])

# The roles that investigate: they may see pseudonyms (the same people who ingest the events).
Investigator = Annotated[Principal, Depends(require_roles(WRITERS))]
Window = Annotated[ExposureWindow, Query()]
CellId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=KEY_PATTERN, description="The cell id the network logged.")
]
Top = Annotated[
    int, Query(ge=0, le=exposure.MAX_TOP, description="How many of the most-exposing cells to list (max 1000).")
]


@router.get("", response_model=ExposureSummary, summary="Exposure through unauthorized cells: totals and top cells")
def get_summary(session: ReadSessionDep, _: Reader, window: Window, top: Top = exposure.DEFAULT_TOP) -> ExposureSummary:
    """Unauthorized cells seen, subscribers exposed (each counted once), attaches and the window of exposure."""
    return exposure.summary(session=session, window=window, top=top)


@router.get("/cells", response_model=Page[ExposedCell], summary="List unauthorized cells")
def list_cells(
    session: ReadSessionDep, _: Reader, window: Window, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[ExposedCell]:
    """Every unauthorized cell seen in the window, by cell id, with its attaches and exposed-subscriber count."""
    return exposure.list_cells(session=session, window=window, cursor=cursor, limit=limit)


@router.get("/cells/{cell_id}", response_model=ExposedCell, summary="Read one unauthorized cell's exposure")
def get_cell(cell_id: CellId, session: ReadSessionDep, _: Reader, window: Window) -> ExposedCell:
    """One cell's exposure; 404 when it was not seen while unauthorized in the window."""
    return exposure.get_cell(session=session, cell_id=cell_id, window=window)


@router.get(
    "/cells/{cell_id}/subscribers",
    response_model=Page[ExposedSubscriber],
    summary="List the pseudonyms of one cell's exposed subscribers (investigators)",
)
def list_subscribers(
    cell_id: CellId,
    session: ReadSessionDep,
    _: Investigator,
    window: Window,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[ExposedSubscriber]:
    """Pseudonymized subscribers whose attaches through this cell were accepted; never raw identifiers."""
    return exposure.list_subscribers(session=session, cell_id=cell_id, window=window, cursor=cursor, limit=limit)
