"""Seed step: the public commitments register from seed/commitments.yaml, with illustrative demo progress."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import yaml
from sqlmodel import Session

from seed import SEED_DIR
from tracker.commitments import service
from tracker.commitments.models import (
    CommitmentCreate,
    CommitmentStatus,
    CommitmentUpdate,
    DateSource,
    EvidenceCreate,
    EvidenceKind,
    MeasurementCreate,
)

if TYPE_CHECKING:
    from tracker.flows import SeedContext

SEED_FILE = SEED_DIR / "commitments.yaml"


def read(path: Any = SEED_FILE) -> dict[str, Any]:
    """The parsed seed file."""
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def load(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Create every commitment, then apply its illustrative demo status, evidence and measurements as of as_of."""
    data = read()
    as_of: date = data["as_of"]
    counts = {"commitments": 0, "commitment measurements (illustrative)": 0, "commitment evidence (illustrative)": 0}
    for entry in data["commitments"]:
        demo = entry.get("demo", {})
        fields = {k: v for k, v in entry.items() if k != "demo"}
        fields.setdefault("source_ref", data["source_ref"])
        created = service.create(session=session, data=CommitmentCreate(**fields), actor=ctx.actor, today=as_of)
        counts["commitments"] += 1
        for n, description in enumerate(demo.get("evidence", []), start=1):
            service.add_evidence(
                session=session,
                commitment_id=created.id,
                data=EvidenceCreate(
                    kind=EvidenceKind.report,
                    reference=f"DEMO-{entry['code']}-{n}",
                    description=f"Illustrative: {description}",
                    source=DateSource.illustrative,
                ),
                actor=ctx.actor,
            )
            counts["commitment evidence (illustrative)"] += 1
        for measurement in demo.get("measurements", []):
            service.add_measurement(
                session=session,
                commitment_id=created.id,
                data=MeasurementCreate(**measurement, source=DateSource.illustrative, note="Illustrative demo figure"),
                actor=ctx.actor,
            )
            counts["commitment measurements (illustrative)"] += 1
        status = CommitmentStatus(demo.get("status", "planned"))
        if status is not CommitmentStatus.planned:
            service.update(
                session=session,
                commitment_id=created.id,
                data=CommitmentUpdate(
                    status=status,
                    met_on=demo.get("met_on"),
                    status_note=demo.get("status_note", "Illustrative demo status."),
                ),
                if_match=None,
                actor=ctx.actor,
                today=as_of,
            )
    return counts
