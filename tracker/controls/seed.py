"""Seed step: the control catalog from seed/controls.yaml, illustrative demo evidence, and a first control run.

Runs after the inventory and plan steps: the first run finds what the synthetic fleet plants (shared certificates,
10-year validity, unknown cell ids...), and the findings it opens are linked to the plan milestones the catalog
names, so the demo's POA&M has milestones.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import func, select
from sqlmodel import Session

from seed import SEED_DIR
from tracker.controls import service
from tracker.controls.models import AttestationCreate, Control, ResultStatus, RotationCreate
from tracker.milestones.models import Milestone
from tracker.types import now_utc

if TYPE_CHECKING:
    from tracker.flows import SeedContext

SEED_FILE = SEED_DIR / "controls.yaml"


def read(path: Any = SEED_FILE) -> dict[str, Any]:
    """The parsed catalog file."""
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def load(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Load the catalog and demo evidence, run every control once, link the findings to their milestones."""
    data = read()
    service.load_catalog(session, data["controls"], actor=ctx.actor)
    demo = data.get("demo") or {}
    for item in demo.get("attestations", []):
        service.attest(
            session=session,
            control_id=item["control"],
            data=AttestationCreate(
                statement=item["statement"], evidence_refs=item["evidence_refs"], attested_on=item["attested_on"]
            ),
            actor=ctx.actor,
        )
    now = now_utc()
    for item in demo.get("rotations", []):
        service.record_rotation(
            session=session,
            data=RotationCreate(
                server=item["server"],
                previous_ip=item.get("previous_ip"),
                new_ip=item["new_ip"],
                rotated_at=now - timedelta(days=int(item["days_ago"])),
                note="illustrative demo record",
            ),
            actor=ctx.actor,
        )
    result = service.run(session=session, actor=ctx.actor)
    links = _link_milestones(session, data["controls"], ctx)
    return {
        # `sectrack init` usually loaded the catalog already: the count is the catalog's, whoever loaded it.
        "controls": int(session.scalar(select(func.count()).select_from(Control)) or 0),
        "control run": result.id,
        "controls failing (first run)": sum(1 for r in result.results if r.status is ResultStatus.failed),
        "findings opened": result.findings_opened,
        "finding-milestone links": links,
    }


def _link_milestones(session: Session, entries: list[dict[str, Any]], ctx: SeedContext) -> int:
    m = Milestone.__table__.c  # type: ignore[attr-defined]
    milestone_ids: dict[str, int] = {str(code): int(id_) for code, id_ in session.execute(select(m.code, m.id))}
    links = 0
    for entry in entries:
        codes = [c for c in entry.get("milestones", []) if c in milestone_ids]
        if not codes:
            continue
        open_findings = service.list_findings(session=session, control_id=entry["id"], status=None, limit=5).items
        for finding in open_findings:
            if finding.status == "closed":
                continue
            for code in codes:
                service.link_milestone(
                    session=session, finding_id=finding.id, milestone_id=milestone_ids[code], actor=ctx.actor
                )
                links += 1
    return links
