"""Deterministic synthetic inventory: femtocells, legacy equipment and access events. ILLUSTRATIVE DEMO DATA.

Nothing here describes KT's real fleet. Regions, vendors, models, firmware, addresses, IP ranges, counts and every
share below are invented (`SOURCE = "illustrative"`); only the shape of the problem follows the public record
(/work/shared/FACTS.md): about 157,000 femtocells, all once on one shared vendor certificate valid for 10 years,
tens of thousands unlinked, inactive or lost, decommissioned units still reaching the network, and 20 illegal cell
ids found in the access records. The generator mirrors that on purpose, so the controls have something to find:

- `SHARED_CERT_SHARE` of units still present the shared vendor certificate (10-year validity);
- the other units carry their own certificate, most re-issued with 1-month validity after the 2025-09-10 order,
  the rest on older 1-year certificates;
- about 10% are lost and 10% decommissioned (some recovered from loss, some never had the certificate revoked),
  and 12% of active units have not been seen for more than 90 days;
- some decommissioned and lost units still appear in the access events, and `ILLEGAL_CELLS` cell ids that are not
  in the inventory attempt to attach from addresses outside the operator's ranges, some of them accepted.

Every function is pure: the same arguments give the same rows, byte for byte (one `random.Random` per stream,
seeded from the arguments; the reference time is fixed, never "now"). Rows are yielded one at a time, so a
million devices need no memory. Values are JSON-ready strings (instants in UTC with a `Z`), the form CSV and JSONL
files carry, so the rows feed the import path unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import ipaddress
import json
import random
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

SOURCE = "illustrative"

# The instant the synthetic fleet is described at (fixed, so output never depends on the day it is generated).
REFERENCE_TIME = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)

# (region, weight): the 17 Korean provinces and metropolitan cities, weighted roughly by population.
REGIONS: list[tuple[str, int]] = [
    ("서울", 19),
    ("부산", 7),
    ("대구", 5),
    ("인천", 6),
    ("광주", 3),
    ("대전", 3),
    ("울산", 2),
    ("세종", 1),
    ("경기", 26),
    ("강원", 3),
    ("충북", 3),
    ("충남", 4),
    ("전북", 3),
    ("전남", 3),
    ("경북", 5),
    ("경남", 6),
    ("제주", 1),
]
_REGION_CODES = {
    "서울": "seoul",
    "부산": "busan",
    "대구": "daegu",
    "인천": "incheon",
    "광주": "gwangju",
    "대전": "daejeon",
    "울산": "ulsan",
    "세종": "sejong",
    "경기": "gyeonggi",
    "강원": "gangwon",
    "충북": "chungbuk",
    "충남": "chungnam",
    "전북": "jeonbuk",
    "전남": "jeonnam",
    "경북": "gyeongbuk",
    "경남": "gyeongnam",
    "제주": "jeju",
}
_DISTRICTS = ["중구", "동구", "서구", "남구", "북구", "신도시로", "중앙로", "시청로", "역전로", "산업로"]

# Invented vendors (code, name, models, firmware versions, share of the fleet).
VENDORS: list[tuple[str, str, list[str], list[str], int]] = [
    ("HB", "Hanbit Networks", ["HB-F100", "HB-F200", "HB-F210"], ["3.1.4", "3.2.0", "3.2.7"], 38),
    ("SB", "Saebom Telecom", ["SB-Home 2", "SB-Biz 5"], ["5.0.2", "5.1.1"], 27),
    ("DY", "Daeyang Radio", ["DY-9", "DY-11"], ["11.4", "12.0", "12.1"], 21),
    ("MR", "Mirae Cells", ["MR-Pico"], ["1.9.8", "2.0.1"], 14),
]

# The operator's wired access ranges femtocells should connect from (private space: illustrative, not KT's).
OPERATOR_IP_RANGES = ["10.16.0.0/12", "10.64.0.0/12", "172.20.0.0/14"]
# Outside addresses (documentation ranges, RFC 5737): where illegal femtocells connect from in the synthetic data.
FOREIGN_IP_RANGES = ["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24"]

SHARED_CERT_FINGERPRINT = hashlib.sha256(b"sectrack illustrative shared vendor certificate").hexdigest()
SHARED_CERT_NOT_BEFORE = datetime(2019, 3, 1, tzinfo=UTC)
SHARED_CERT_NOT_AFTER = datetime(2029, 3, 1, tzinfo=UTC)  # ten years, as in the incident
SHARED_CERT_SHARE = 0.30
SHORT_CERT_ORDER = datetime(2025, 9, 10, tzinfo=UTC)  # certificates cut to one month from this date (FACTS.md)
ILLEGAL_CELLS = 20

# Status mix of the fleet (weights, percent).
_STATUS_WEIGHTS = [
    ("active", 74),
    ("suspended", 3),
    ("registered", 2),
    ("blocked", 1),
    ("lost", 10),
    ("decommissioned", 10),
]
_INACTIVE_SHARE = 0.12  # active units not seen for more than 90 days
_ECI_SPACE = 1 << 27  # inventory cell identities; illegal ones are drawn above it, so they never collide


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    total = sum(w for _, w in choices)
    pick = rng.random() * total
    for value, weight in choices:
        pick -= weight
        if pick < 0:
            return value
    return choices[-1][0]


class _Addresses:
    """Random host addresses inside a list of CIDR ranges."""

    def __init__(self, ranges: list[str]) -> None:
        self.networks = [ipaddress.ip_network(r) for r in ranges]

    def pick(self, rng: random.Random) -> str:
        net = self.networks[rng.randrange(len(self.networks))]
        return str(net.network_address + rng.randrange(1, net.num_addresses - 1))


def cell_id_for(index: int) -> str:
    """The cell id of the `index`-th synthetic femtocell: MCC-MNC 450-08 and a 28-bit cell identity in hex."""
    # Multiplying by an odd constant permutes [0, 2^27): unique ids that do not look sequential.
    eci = (index * 0x9E3779B1 + 0x1234567) % _ECI_SPACE
    return f"45008-{eci:07X}"


def illegal_cell_ids(seed: int) -> list[str]:
    """The cell ids of the illegal femtocells: seen on the network, never in the inventory."""
    rng = random.Random(f"illegal:{seed}")
    return [f"45008-{_ECI_SPACE + rng.randrange(_ECI_SPACE):07X}" for _ in range(ILLEGAL_CELLS)]


def femtocell_rows(count: int, seed: int, *, as_of: datetime = REFERENCE_TIME) -> Iterator[dict[str, Any]]:
    """`count` synthetic femtocells (field dicts for the femtocell import), deterministic in (count, seed, as_of)."""
    rng = random.Random(f"femtocells:{seed}")
    operator = _Addresses(OPERATOR_IP_RANGES)
    foreign = _Addresses(FOREIGN_IP_RANGES)
    vendor_weights = [(v[0], v[4]) for v in VENDORS]
    vendors = {v[0]: v for v in VENDORS}
    fleet_start = datetime(2016, 1, 1, tzinfo=UTC)
    install_span = (as_of - timedelta(days=30) - fleet_start).days
    for index in range(count):
        code = _weighted(rng, vendor_weights)
        _, vendor, models, firmwares, _ = vendors[code]
        region = _weighted(rng, REGIONS)
        installed = fleet_start + timedelta(days=rng.randrange(install_span))
        status = _weighted(rng, _STATUS_WEIGHTS)
        serial = f"{code}{installed.year % 100:02d}{index:08d}"
        row: dict[str, Any] = {
            "serial": serial,
            "cell_id": cell_id_for(index),
            "vendor": vendor,
            "model": models[rng.randrange(len(models))],
            "firmware": firmwares[rng.randrange(len(firmwares))],
            "vendor_batch": f"{code}-{installed.year}-{rng.randint(1, 12):02d}",
            "installed_at": installed.date().isoformat(),
            "segw": f"segw-{_REGION_CODES[region]}-{rng.randint(1, 4):02d}",
            "registered_address": f"{region} {_DISTRICTS[rng.randrange(len(_DISTRICTS))]} {rng.randint(1, 400)}",
            "region": region,
            "site_type": "home" if rng.random() < 0.7 else "business",
            "status": status,
            "note": None,
        }
        row.update(_certificate(rng, serial, installed, as_of))
        row.update(_lifecycle(rng, status, installed, as_of))
        if status == "registered":
            row.update(last_seen_at=None, last_source_ip=None, config_verified_at=None)
        else:
            seen = datetime.fromisoformat(row.pop("_seen"))
            outside = rng.random() < 0.03
            row["last_seen_at"] = _iso(seen)
            row["last_source_ip"] = (foreign if outside else operator).pick(rng)
            verified = rng.random() < 0.8
            row["config_verified_at"] = _iso(seen - timedelta(hours=rng.randrange(1, 720))) if verified else None
        row.pop("_seen", None)
        yield row


def _certificate(rng: random.Random, serial: str, installed: datetime, as_of: datetime) -> dict[str, str]:
    if rng.random() < SHARED_CERT_SHARE:
        return {
            "cert_fingerprint": SHARED_CERT_FINGERPRINT,
            "cert_not_before": _iso(SHARED_CERT_NOT_BEFORE),
            "cert_not_after": _iso(SHARED_CERT_NOT_AFTER),
        }
    fingerprint = hashlib.sha256(f"device certificate {serial}".encode()).hexdigest()
    if rng.random() < 0.6:
        # Re-issued after the order: one month of validity, renewed recently.
        start = as_of - timedelta(days=rng.randrange(0, 30), hours=rng.randrange(24))
        end = start + timedelta(days=30)
    else:
        start = max(installed, SHORT_CERT_ORDER - timedelta(days=365)) + timedelta(days=rng.randrange(0, 200))
        end = start + timedelta(days=365)
    return {"cert_fingerprint": fingerprint, "cert_not_before": _iso(start), "cert_not_after": _iso(end)}


def _lifecycle(rng: random.Random, status: str, installed: datetime, as_of: datetime) -> dict[str, Any]:
    """Lifecycle timestamps for a status, and '_seen', when the unit last reached the network."""
    activated = installed + timedelta(days=rng.randrange(1, 20))
    out: dict[str, Any] = {
        "activated_at": None if status == "registered" else _iso(activated),
        "blocked_at": None,
        "lost_at": None,
        "recovered_at": None,
        "decommissioned_at": None,
        "cert_revoked_at": None,
    }
    span = max((as_of - activated).days, 2)

    def back(max_days: int) -> datetime:
        return as_of - timedelta(days=rng.randrange(1, max(min(max_days, span), 2)), seconds=rng.randrange(86_400))

    if status in ("active", "suspended"):
        seen = back(400) if rng.random() < _INACTIVE_SHARE else as_of - timedelta(seconds=rng.randrange(7 * 86_400))
    elif status == "blocked":
        blocked = back(200)
        out["blocked_at"] = _iso(blocked)
        seen = blocked
    elif status == "lost":
        lost = back(700)
        out["lost_at"] = _iso(lost)
        seen = lost - timedelta(days=rng.randrange(90, 200))
    elif status == "decommissioned":
        decommissioned = back(700)
        out["decommissioned_at"] = _iso(decommissioned)
        if rng.random() < 0.25:
            lost = decommissioned - timedelta(days=rng.randrange(30, 300))
            out["lost_at"] = _iso(lost)
            out["recovered_at"] = _iso(decommissioned - timedelta(days=rng.randrange(1, 29)))
        if rng.random() < 0.6:
            out["cert_revoked_at"] = _iso(decommissioned + timedelta(days=rng.randrange(0, 30)))
        seen = decommissioned - timedelta(days=rng.randrange(1, 60))
    else:
        seen = activated
    out["_seen"] = _iso(max(min(seen, as_of), activated))
    return out


# --- legacy equipment ----------------------------------------------------------------------------------------------

# (category, share, personal data?, models by invented vendor)
EQUIPMENT_CATEGORIES: list[tuple[str, int, bool, list[tuple[str, str]]]] = [
    ("core router", 18, False, [("Cheonji Systems", "CR-9000"), ("Baekdu Networks", "BR-7")]),
    ("switch", 30, False, [("Cheonji Systems", "CS-48"), ("Hallasan Switching", "HS-24G")]),
    ("authentication server", 8, True, [("Gaon Security", "GA-AAA 4"), ("Nuri Identity", "NI-Radius 2")]),
    ("billing DB server", 8, True, [("Daehan Data", "DD-Bill 8"), ("Gaon Security", "GA-DB 3")]),
    ("HSS/HLR", 6, True, [("Baekdu Networks", "BH-HSS 5"), ("Nuri Identity", "NI-HLR 1")]),
    ("firewall", 16, False, [("Gaon Security", "GA-FW 700"), ("Hallasan Switching", "HS-Guard")]),
    ("SMS gateway", 6, True, [("Daehan Data", "DD-SMSC 2")]),
    ("MME", 8, False, [("Baekdu Networks", "BM-MME 3")]),
]
_SITES = ["구로 IDC", "분당 IDC", "혜화 국사", "목동 IDC", "대전 IDC", "부산 국사", "광주 국사", "대구 국사"]
_WAVES = ["W1", "W2", "W3", "W4"]
_EQUIPMENT_STATUS = [("in_service", 62), ("replacement_planned", 20), ("replacing", 7), ("replaced", 6), ("retired", 5)]


def equipment_rows(count: int, seed: int, *, as_of: datetime = REFERENCE_TIME) -> Iterator[dict[str, Any]]:
    """`count` synthetic legacy-equipment items (field dicts for the equipment import), deterministic."""
    rng = random.Random(f"equipment:{seed}")
    weights = [(c[0], c[1]) for c in EQUIPMENT_CATEGORIES]
    by_name = {c[0]: c for c in EQUIPMENT_CATEGORIES}
    today = as_of.date()
    for index in range(count):
        category, _, personal, models = by_name[_weighted(rng, weights)]
        vendor, model = models[rng.randrange(len(models))]
        status = _weighted(rng, _EQUIPMENT_STATUS)
        end_of_support = date(2018, 1, 1) + timedelta(days=rng.randrange(365 * 14))
        wave = _WAVES[rng.randrange(len(_WAVES))] if status != "in_service" or rng.random() < 0.1 else None
        target = date(2026 + _WAVES.index(wave), 12, 31) - timedelta(days=rng.randrange(200)) if wave else None
        replaced_at = None
        retired_at = None
        if status in ("replaced", "retired"):
            done = as_of - timedelta(days=rng.randrange(1, 300))
            replaced_at = _iso(done)
            if status == "retired":
                retired_at = _iso(done + timedelta(days=rng.randrange(1, 60)))
                if retired_at > _iso(as_of):
                    retired_at = _iso(as_of)
        yield {
            "asset_tag": f"KT-EQ-{index + 1:06d}",
            "category": category,
            "vendor": vendor,
            "model": model,
            "location": _SITES[rng.randrange(len(_SITES))],
            "criticality": rng.choice([1, 1, 2, 2, 2, 3, 3, 4]) if personal else rng.randint(1, 4),
            "holds_personal_data": personal and rng.random() < 0.9,
            "end_of_support": min(end_of_support, today + timedelta(days=365 * 5)).isoformat(),
            "status": status,
            "replacement_wave": wave,
            "target_date": target.isoformat() if target else None,
            "replaced_at": replaced_at,
            "retired_at": retired_at,
            "note": None,
        }


# --- access events -------------------------------------------------------------------------------------------------


def _imsi(rng: random.Random) -> str:
    # Synthetic IMSIs (MCC 450, MNC 08); raw here only because this is the network's side of the wire.
    return f"45008{rng.randrange(10**10):010d}"


def access_event_rows(devices: int, seed: int, *, as_of: datetime = REFERENCE_TIME) -> Iterator[dict[str, Any]]:
    """Attach attempts seen by the core network: a few per inventoried unit, and the illegal cells' attempts.

    Re-generates the femtocells of (devices, seed) to stay consistent with them without holding them in memory.
    """
    rng = random.Random(f"access-events:{seed}")
    subscribers = [_imsi(rng) for _ in range(max(devices * 2, 100))]
    for unit in femtocell_rows(devices, seed, as_of=as_of):
        seen_text = unit["last_seen_at"]
        if seen_text is None:
            continue
        seen = datetime.fromisoformat(seen_text)
        status = unit["status"]
        if status in ("active", "suspended"):
            attempts = rng.randint(1, 4)
        elif status == "blocked":
            attempts = 1
        else:
            attempts = 1 if rng.random() < 0.5 else 0
        for k in range(attempts):
            yield _event(rng, unit["cell_id"], subscribers, seen - timedelta(minutes=rng.randrange(0, 600) * k), unit)
        # Some decommissioned or lost units are still on the network after they left the inventory's care.
        late = unit["decommissioned_at"] or unit["lost_at"]
        if late is not None and status in ("decommissioned", "lost") and rng.random() < 0.08:
            after = datetime.fromisoformat(late) + timedelta(days=rng.randrange(1, 60))
            yield _event(rng, unit["cell_id"], subscribers, min(after, as_of), unit, result="accepted")
    foreign = _Addresses(FOREIGN_IP_RANGES)
    for cell_id in illegal_cell_ids(seed):
        for _ in range(rng.randint(3, 9)):
            at = as_of - timedelta(days=rng.randrange(0, 400), seconds=rng.randrange(86_400))
            yield {
                "cell_id": cell_id,
                "subscriber_id": subscribers[rng.randrange(len(subscribers))],
                "occurred_at": _iso(at),
                "source_ip": foreign.pick(rng),
                "result": "accepted" if rng.random() < 0.4 else "rejected",
            }


def _event(
    rng: random.Random,
    cell_id: str,
    subscribers: list[str],
    at: datetime,
    unit: Mapping[str, Any],
    result: str | None = None,
) -> dict[str, Any]:
    if result is None:
        result = "rejected" if unit["status"] == "blocked" or rng.random() < 0.04 else "accepted"
    return {
        "cell_id": cell_id,
        "subscriber_id": subscribers[rng.randrange(len(subscribers))],
        "occurred_at": _iso(at),
        "source_ip": unit["last_source_ip"],
        "result": result,
    }


# --- files ---------------------------------------------------------------------------------------------------------


def write_csv(path: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write rows as UTF-8 CSV with a header (None as an empty cell); returns the number of rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer: Any = None
        for row in rows:
            if writer is None:
                writer = csv.writer(handle)
                writer.writerow(list(row))
            writer.writerow(["" if v is None else v for v in row.values()])
            count += 1
    return count


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write rows as JSON lines; returns the number of rows."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
