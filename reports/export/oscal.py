"""The OSCAL 1.2.1 plan of action and milestones (POA&M): the regulator's machine-readable remediation plan.

Input is plain data (`PoamFinding` with its `PoamMilestone`s) from the providers listed in `FINDINGS_PROVIDERS`
("module:function", each `(session, as_of) -> Iterable[PoamFinding]`), so this module knows nothing of the findings
and milestones tables. Each finding becomes one risk (status, deadline, one remediation whose tasks are the linked
milestones) and one poam-item whose `related-risks` names that risk. Closed findings stay in as closed risks with
a completed remediation, so the regulator sees what was resolved.

Every UUID is a version-5 UUID from a fixed namespace and the record's stable id, and timestamps come from the
as-of instant, so a POA&M of a past instant is byte-identical every time.

OSCAL requires at least one poam-item. With no findings the document holds one item saying so (no risks), rather
than inventing a finding: an empty plan is a fact worth stating, with its instant.
"""

from __future__ import annotations

import importlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session

from reports.export import rules
from tracker import canonical
from tracker.audit.models import ChainHead
from tracker.errors import ConfigurationError
from tracker.types import SEOUL, to_seoul

OSCAL_VERSION = "1.2.1"
# Fixed forever: every UUID in our OSCAL documents is uuid5(NAMESPACE, "<kind>:<stable id>").
NAMESPACE = uuid.UUID("a5fba556-a2df-4dff-81a9-1910bc347c3a")
# Namespace of our own props (OSCAL reserves names without `ns` for its own vocabulary).
PROP_NS = "urn:sectrack:oscal"
# The system the plan is about: the operator's network under the remediation programme. One deterministic id so
# every export and report names the same system.
SYSTEM_ID = str(uuid.uuid5(NAMESPACE, "system:kt-security-remediation-programme"))
SYSTEM_ID_TYPE = "https://ietf.org/rfc/rfc4122"

# "module:function" providers of findings, each `(session, as_of) -> Iterable[PoamFinding]`.
FINDINGS_PROVIDERS: list[str] = ["tracker.controls.poam:findings"]

# Finding statuses as domains may name them → OSCAL risk status.
RISK_STATUS: dict[str, str] = {
    "open": "open",
    "investigating": "investigating",
    "remediating": "remediating",
    "in_progress": "remediating",
    "deviation_requested": "deviation-requested",
    "deviation-requested": "deviation-requested",
    "deviation_approved": "deviation-approved",
    "deviation-approved": "deviation-approved",
    "risk_accepted": "deviation-approved",
    "accepted": "deviation-approved",
    "closed": "closed",
    "resolved": "closed",
}

_UUID_V4_V5 = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$")


@dataclass(frozen=True)
class PoamMilestone:
    """A plan milestone a finding's remediation depends on."""

    id: str | int
    title: str
    baseline_date: date | None
    forecast_date: date | None
    status: str


@dataclass(frozen=True)
class PoamFinding:
    """A finding as the POA&M needs it (from the controls domain)."""

    id: str | int
    control_id: str
    title: str
    description: str
    severity: str
    status: str
    opened_at: datetime
    due_date: date | None
    owner: str
    milestones: Sequence[PoamMilestone] = field(default_factory=tuple)


FindingsProvider = Callable[[Session, datetime], Iterable[PoamFinding]]


def collect_findings(session: Session, as_of: datetime) -> list[PoamFinding]:
    """Findings from every registered provider, as of `as_of` (none registered: no findings)."""
    findings: list[PoamFinding] = []
    for spec in FINDINGS_PROVIDERS:
        module_name, _, function = spec.partition(":")
        provider: FindingsProvider = getattr(importlib.import_module(module_name), function)
        findings.extend(provider(session, as_of))
    return findings


def stable_uuid(kind: str, key: str | int) -> str:
    """The UUID (version 5) of one subject of the POA&M."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _line(text: str, fallback: str) -> str:
    # OSCAL titles are one non-empty line.
    flat = " ".join(str(text).split())
    return flat or fallback


def _end_of_day(day: date) -> str:
    # A bare date means the end of that day in Seoul, as everywhere in sectrack.
    return datetime.combine(day, time(23, 59, 59), tzinfo=SEOUL).isoformat()


def _prop(name: str, value: Any) -> dict[str, str] | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return {"name": name, "ns": PROP_NS, "value": text} if text else None


def _props(*pairs: tuple[str, Any]) -> list[dict[str, str]]:
    return [p for p in (_prop(n, v) for n, v in pairs) if p is not None]


def _risk_status(finding: PoamFinding) -> str:
    status = RISK_STATUS.get(str(finding.status).lower())
    if status is None:
        known = ", ".join(sorted(RISK_STATUS))
        raise ConfigurationError(
            f"Finding {finding.id} has status '{finding.status}', which has no OSCAL risk status; known: {known}."
        )
    return status


def _task(finding: PoamFinding, milestone: PoamMilestone) -> dict[str, Any]:
    task: dict[str, Any] = {
        "uuid": stable_uuid("task", f"{finding.id}:{milestone.id}"),
        "type": "milestone",
        "title": _line(milestone.title, f"Milestone {milestone.id}"),
        "description": (
            f"Milestone {milestone.id}, status {milestone.status}; baseline "
            f"{milestone.baseline_date or 'not set'}, forecast {milestone.forecast_date or 'not set'}."
        ),
        "props": _props(
            ("milestone-id", milestone.id),
            ("milestone-status", milestone.status),
            ("baseline-date", milestone.baseline_date),
            ("forecast-date", milestone.forecast_date),
        ),
    }
    when = milestone.forecast_date or milestone.baseline_date
    if when is not None:
        task["timing"] = {"on-date": {"date": _end_of_day(when)}}
    return task


def _risk(finding: PoamFinding) -> dict[str, Any]:
    status = _risk_status(finding)
    milestones = sorted(finding.milestones, key=lambda m: _id_key(m.id))
    if status == "closed":
        lifecycle = "completed"
    elif milestones:
        lifecycle = "planned"
    else:
        lifecycle = "recommendation"
    remediation: dict[str, Any] = {
        "uuid": stable_uuid("remediation", finding.id),
        "lifecycle": lifecycle,
        "title": _line(f"Remediate: {finding.title}", f"Remediate finding {finding.id}"),
        "description": (
            f"Bring control {finding.control_id} back into compliance; owner {finding.owner or 'not assigned'}."
            + (f" {len(milestones)} linked plan milestone(s)." if milestones else " No plan milestone is linked yet.")
        ),
    }
    if milestones:
        remediation["tasks"] = [_task(finding, m) for m in milestones]
    opened = to_seoul(finding.opened_at).date().isoformat()
    risk: dict[str, Any] = {
        "uuid": stable_uuid("risk", finding.id),
        "title": _line(finding.title, f"Finding {finding.id}"),
        "description": finding.description.strip() or _line(finding.title, f"Finding {finding.id}"),
        "statement": (
            f"Control {finding.control_id} is not met (severity {finding.severity}); the finding was opened on "
            f"{opened} and is owned by {finding.owner or 'no one yet'}."
        ),
        "props": _props(
            ("finding-id", finding.id),
            ("control-id", finding.control_id),
            ("severity", finding.severity),
            ("owner", finding.owner),
            ("opened-at", canonical.isoformat_utc(finding.opened_at)),
        ),
        "status": status,
    }
    if finding.due_date is not None:
        risk["deadline"] = _end_of_day(finding.due_date)
    risk["remediations"] = [remediation]
    return risk


def _poam_item(finding: PoamFinding) -> dict[str, Any]:
    return {
        "uuid": stable_uuid("poam-item", finding.id),
        "title": _line(finding.title, f"Finding {finding.id}"),
        "description": finding.description.strip() or _line(finding.title, f"Finding {finding.id}"),
        "props": _props(("finding-id", finding.id), ("control-id", finding.control_id)),
        "related-risks": [{"risk-uuid": stable_uuid("risk", finding.id)}],
    }


def _id_key(value: str | int) -> tuple[int, str]:
    text = str(value)
    return (len(text), text) if rules.CANONICAL_INT.match(text) else (1 << 30, text)


def build_poam(findings: Iterable[PoamFinding], *, as_of: datetime, head: ChainHead) -> dict[str, Any]:
    """The POA&M document (a JSON-ready dict) for these findings as of `as_of` and the chain head it reflects."""
    ordered = sorted(findings, key=lambda f: _id_key(f.id))
    seoul = to_seoul(as_of)
    if ordered:
        items = [_poam_item(f) for f in ordered]
    else:
        items = [
            {
                "uuid": stable_uuid("poam-item", "no-open-findings"),
                "title": "No open findings",
                "description": (
                    f"No findings were recorded as of {seoul:%Y-%m-%d %H:%M} KST (audit chain head {head.seq}); "
                    "the plan had nothing to remediate at that instant."
                ),
            }
        ]
    poam: dict[str, Any] = {
        "uuid": stable_uuid("poam", SYSTEM_ID),
        "metadata": {
            "title": f"Security remediation plan of action and milestones as of {seoul:%Y-%m-%d %H:%M} KST",
            "last-modified": canonical.isoformat_utc(as_of),
            "version": f"audit-chain-{head.seq}",
            "oscal-version": OSCAL_VERSION,
            "props": _props(
                ("as-of", canonical.isoformat_utc(as_of)),
                ("audit-chain-head-seq", head.seq),
                ("audit-chain-head-hash", head.hash),
            ),
        },
        "system-id": {"identifier-type": SYSTEM_ID_TYPE, "id": SYSTEM_ID},
    }
    if ordered:
        poam["risks"] = [_risk(f) for f in ordered]
    poam["poam-items"] = items
    return {"plan-of-action-and-milestones": poam}


def poam_bytes(document: dict[str, Any]) -> bytes:
    """The file form: UTF-8 JSON, two-space indent, keys in OSCAL's order; the same document gives the same bytes."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def check_poam(document: Any) -> list[str]:
    """Problems a schema check does not catch: references that do not resolve, bad or repeated UUIDs."""
    problems: list[str] = []
    poam = document.get("plan-of-action-and-milestones") if isinstance(document, dict) else None
    if not isinstance(poam, dict):
        return ["the document has no plan-of-action-and-milestones object"]
    if poam.get("metadata", {}).get("oscal-version") != OSCAL_VERSION:
        problems.append(f"oscal-version is not {OSCAL_VERSION}")
    items = poam.get("poam-items")
    if not isinstance(items, list) or not items:
        problems.append("poam-items is missing or empty (OSCAL requires at least one)")
        items = []
    risks = poam.get("risks") or []
    risk_uuids = {r.get("uuid") for r in risks if isinstance(r, dict)}
    seen: set[str] = set()
    for found in _uuids(poam):
        if not isinstance(found, str) or not _UUID_V4_V5.match(found):
            problems.append(f"'{found}' is not a version 4 or 5 UUID")
        elif found in seen:
            problems.append(f"UUID {found} is used twice")
        seen.add(str(found))
    for index, item in enumerate(items):
        for ref in (item.get("related-risks") or []) if isinstance(item, dict) else []:
            target = ref.get("risk-uuid") if isinstance(ref, dict) else None
            if target not in risk_uuids:
                problems.append(f"poam-item {index + 1} refers to risk {target}, which is not in the document")
    return problems


def _uuids(node: Any) -> Iterable[Any]:
    """Every `uuid` member that identifies an object (references such as risk-uuid are not definitions)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "uuid":
                yield value
            else:
                yield from _uuids(value)
    elif isinstance(node, list):
        for value in node:
            yield from _uuids(value)
