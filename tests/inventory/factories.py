"""Valid inventory records and import files for tests."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from itertools import count
from typing import Any

from sqlmodel import Session

from inventory.equipment import service as equipment_service
from inventory.equipment.models import Equipment, EquipmentCreate
from inventory.femtocells import service as femtocell_service
from inventory.femtocells.models import Femtocell, FemtocellCreate
from tracker.auth.models import Principal

_serials = count(1)


def femtocell_data(**overrides: Any) -> dict[str, Any]:
    """Fields of a valid new femtocell (unique serial and cell id unless overridden)."""
    n = next(_serials)
    data: dict[str, Any] = {
        "serial": f"HB25{n:08d}",
        "cell_id": f"45008-{n:07X}",
        "vendor": "Hanbit Networks",
        "model": "HB-F100",
        "firmware": "3.2.0",
        "vendor_batch": "HB-2025-03",
        "installed_at": "2025-03-02",
        "segw": "segw-seoul-01",
        "registered_address": "서울 중구 12",
        "cert_fingerprint": f"{n:064x}",
        "cert_not_before": "2026-10-01T00:00:00Z",
        "cert_not_after": "2026-10-31T00:00:00Z",
        "region": "서울",
        "site_type": "home",
    }
    data.update(overrides)
    return data


def make_femtocell(session: Session, actor: Principal, **overrides: Any) -> Femtocell:
    """Create a femtocell through the service."""
    return femtocell_service.create(
        session=session, data=FemtocellCreate.model_validate(femtocell_data(**overrides)), actor=actor
    )


def equipment_data(**overrides: Any) -> dict[str, Any]:
    """Fields of a valid new equipment item."""
    n = next(_serials)
    data: dict[str, Any] = {
        "asset_tag": f"KT-EQ-{n:06d}",
        "category": "core router",
        "vendor": "Cheonji Systems",
        "model": "CR-9000",
        "location": "구로 IDC",
        "criticality": 2,
        "holds_personal_data": False,
        "end_of_support": "2027-06-30",
    }
    data.update(overrides)
    return data


def make_equipment(session: Session, actor: Principal, **overrides: Any) -> Equipment:
    """Create an equipment item through the service."""
    return equipment_service.create(
        session=session, data=EquipmentCreate.model_validate(equipment_data(**overrides)), actor=actor
    )


def csv_bytes(rows: Iterable[Mapping[str, Any]], columns: list[str] | None = None, *, bom: bool = False) -> bytes:
    """Rows as UTF-8 CSV with a header (None as an empty cell)."""
    rows = list(rows)
    if columns is None:
        columns = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def jsonl_bytes(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Rows as JSON lines."""
    return "".join(json.dumps(dict(r), ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def access_event(**overrides: Any) -> dict[str, Any]:
    """One valid attach attempt on the wire (raw subscriber id)."""
    data: dict[str, Any] = {
        "cell_id": "45008-0000001",
        "subscriber_id": "450081234567890",
        "occurred_at": "2026-11-01T09:00:00+09:00",
        "source_ip": "10.16.0.5",
        "result": "accepted",
    }
    data.update(overrides)
    return data
