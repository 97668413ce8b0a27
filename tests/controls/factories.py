"""A crafted fleet where each automated control fails for exactly the planted records, and the fixes for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from inventory.access_events import service as access_events
from inventory.equipment import service as equipment_service
from inventory.equipment.models import EquipmentUpdate
from inventory.femtocells import service as femtocell_service
from inventory.femtocells.models import FemtocellUpdate
from tests.inventory.factories import make_equipment, make_femtocell
from tracker.auth.models import Principal
from tracker.controls import seed as controls_seed
from tracker.controls import service
from tracker.controls.models import AttestationCreate, RotationCreate
from tracker.types import now_utc

UNKNOWN_CELL = "45008-FFFFFF0"
INSIDE = "10.16.0.20"
OUTSIDE = "203.0.113.5"


def iso(value: datetime) -> str:
    """An instant as the inventory's JSON form."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def load_catalog(session: Session, actor: Principal) -> None:
    """The real catalog from seed/controls.yaml."""
    service.load_catalog(session, controls_seed.read()["controls"], actor=actor)


@dataclass
class Fleet:
    """The planted offenders by control, and everything needed to fix them."""

    now: datetime
    ids: dict[str, Any] = field(default_factory=dict)
    planted: dict[str, set[str]] = field(default_factory=dict)


def _good_unit(session: Session, actor: Principal, now: datetime, **overrides: Any) -> Any:
    seen = now - timedelta(hours=1)
    fields: dict[str, Any] = {
        "status": "active",
        "cert_not_before": iso(now - timedelta(days=10)),
        "cert_not_after": iso(now + timedelta(days=20)),
        "last_seen_at": iso(seen),
        "config_verified_at": iso(seen),
        "last_source_ip": INSIDE,
        "activated_at": iso(now - timedelta(days=300)),
    }
    fields.update(overrides)
    return make_femtocell(session, actor, **fields)


def _events(session: Session, actor: Principal, rows: list[dict[str, Any]]) -> None:
    access_events.ingest(session=session, rows=enumerate(rows, start=1), source="test", actor=actor)


def _event(cell_id: str, at: datetime, ip: str = INSIDE, result: str = "accepted") -> dict[str, Any]:
    return {
        "cell_id": cell_id,
        "subscriber_id": "450081234567890",
        "occurred_at": iso(at),
        "source_ip": ip,
        "result": result,
    }


def plant(session: Session, actor: Principal) -> Fleet:
    """Good units plus one or two offenders per control; returns what each control should name."""
    now = now_utc()
    fleet = Fleet(now=now)
    good = [_good_unit(session, actor, now) for _ in range(3)]
    _events(session, actor, [_event(u.cell_id, now - timedelta(hours=2)) for u in good])
    shared = "ab" * 32
    s1 = _good_unit(session, actor, now, cert_fingerprint=shared)
    s2 = _good_unit(session, actor, now, cert_fingerprint=shared)
    ten_years = _good_unit(
        session,
        actor,
        now,
        cert_not_before=iso(now - timedelta(days=100)),
        cert_not_after=iso(now + timedelta(days=3550)),
    )
    expired = _good_unit(
        session, actor, now, cert_not_before=iso(now - timedelta(days=31)), cert_not_after=iso(now - timedelta(days=1))
    )
    lost = _good_unit(session, actor, now, status="lost", lost_at=iso(now - timedelta(days=30)))
    outside_unit = _good_unit(session, actor, now, last_source_ip=OUTSIDE)
    unverified = _good_unit(session, actor, now, config_verified_at=iso(now - timedelta(days=2)))
    inactive = _good_unit(
        session,
        actor,
        now,
        last_seen_at=iso(now - timedelta(days=100)),
        config_verified_at=iso(now - timedelta(days=100)),
    )
    unrevoked = _good_unit(
        session, actor, now, status="decommissioned", decommissioned_at=iso(now - timedelta(days=20))
    )
    still_seen = _good_unit(
        session,
        actor,
        now,
        status="decommissioned",
        decommissioned_at=iso(now - timedelta(days=10)),
        cert_revoked_at=iso(now - timedelta(days=9)),
    )
    _events(
        session,
        actor,
        [
            _event(UNKNOWN_CELL, now - timedelta(days=5)),
            _event(lost.cell_id, now - timedelta(days=2)),
            _event(still_seen.cell_id, now - timedelta(days=3)),
            _event(good[2].cell_id, now - timedelta(days=4), ip="198.51.100.7"),
        ],
    )
    old_item = make_equipment(session, actor, end_of_support="2024-12-31", holds_personal_data=True)
    make_equipment(session, actor, end_of_support="2024-12-31", status="replacement_planned", replacement_wave="W1")
    make_equipment(session, actor, end_of_support="2030-12-31")
    service.record_rotation(
        session=session,
        data=RotationCreate(server="femto-aaa-01", new_ip="10.250.0.11", rotated_at=now - timedelta(days=10)),
        actor=actor,
    )
    service.record_rotation(
        session=session,
        data=RotationCreate(server="femto-aaa-02", new_ip="10.250.1.11", rotated_at=now - timedelta(days=100)),
        actor=actor,
    )
    fleet.ids = {
        "s2": s2,
        "ten_years": ten_years,
        "expired": expired,
        "lost": lost,
        "outside_unit": outside_unit,
        "unverified": unverified,
        "inactive": inactive,
        "unrevoked": unrevoked,
        "still_seen": still_seen,
        "outside_cell": good[2].cell_id,
        "old_item": old_item,
    }
    fleet.planted = {
        "MSIT-1": {UNKNOWN_CELL, lost.cell_id, still_seen.cell_id},
        "MSIT-2": {s1.serial, s2.serial},
        "MSIT-3": {ten_years.serial, expired.serial},
        "MSIT-4": {outside_unit.cell_id, good[2].cell_id},
        "MSIT-5": {unverified.serial},
        "MSIT-6": {"femto-aaa-02"},
        "MSIT-7A": {inactive.serial},
        "MSIT-7B": {unrevoked.serial, still_seen.serial},
        "MSIT-8": set(),
        "PLAN-1": {old_item.asset_tag},
    }
    return fleet


def fix(session: Session, actor: Principal, fleet: Fleet) -> None:
    """Remediate every planted offender the way an operator would."""
    now = now_utc()
    ids = fleet.ids

    def patch(unit: Any, **changes: Any) -> None:
        femtocell_service.update(
            session=session,
            femtocell_id=unit.id,
            data=FemtocellUpdate.model_validate(changes),
            if_match=None,
            actor=actor,
        )

    patch(ids["s2"], cert_fingerprint="cd" * 32)
    patch(ids["ten_years"], cert_not_before=iso(now - timedelta(days=1)), cert_not_after=iso(now + timedelta(days=29)))
    patch(ids["expired"], cert_not_before=iso(now - timedelta(days=1)), cert_not_after=iso(now + timedelta(days=29)))
    patch(ids["lost"], status="blocked")
    patch(ids["outside_unit"], last_source_ip=INSIDE)
    patch(ids["unverified"], config_verified_at=ids["unverified"].last_seen_at.isoformat())
    patch(ids["inactive"], status="blocked")
    patch(ids["unrevoked"], cert_revoked_at=iso(now - timedelta(minutes=1)))
    later = now - timedelta(seconds=30)
    _events(
        session,
        actor,
        [
            _event(UNKNOWN_CELL, later, result="rejected"),
            _event(ids["still_seen"].cell_id, later, result="rejected"),
            _event(ids["outside_cell"], later, ip="198.51.100.8", result="rejected"),
        ],
    )
    equipment_service.update(
        session=session,
        equipment_id=ids["old_item"].id,
        data=EquipmentUpdate(replacement_wave="W2"),
        if_match=None,
        actor=actor,
    )
    service.record_rotation(
        session=session,
        data=RotationCreate(server="femto-aaa-02", previous_ip="10.250.1.11", new_ip="10.250.1.12"),
        actor=actor,
    )
    service.attest(
        session=session,
        control_id="MSIT-8",
        data=AttestationCreate(statement="Submitted.", evidence_refs=["MSIT receipt 2026-01-29"]),
        actor=actor,
    )
