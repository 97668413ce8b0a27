"""Export and verify, as the API and the CLI call them: parse inputs, load the key, run the engine."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from reports.export import bundle, oscal, source
from reports.export.bundle import ExportResult
from reports.export.verify import Limits, VerifyReport, verify_file
from tracker import canonical
from tracker.errors import Invalid
from tracker.keys import load_signing_key
from tracker.settings import Settings, get_settings
from tracker.types import parse_instant


def _instant(as_of: str | datetime | None) -> datetime | None:
    if as_of is None or isinstance(as_of, datetime):
        return as_of
    try:
        return parse_instant(as_of)
    except OverflowError as exc:
        # Instants at the edge of the calendar overflow when moved to UTC.
        raise Invalid(f"'{as_of}' is outside the range of dates sectrack handles.", field="as_of") from exc


def export_audit(
    *,
    session: Session,
    out: Path,
    as_of: str | datetime | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Write the signed audit bundle as of `as_of` (a date, datetime or None for now) to `out`."""
    instant = _instant(as_of)
    key = load_signing_key((settings or get_settings()).signing_key_path())
    return bundle.export_bundle(session=session, out=out, key=key, as_of=instant, now=now)


def export_audit_file(
    *, session: Session, as_of: str | None = None, settings: Settings | None = None
) -> tuple[Path, str]:
    """Write the bundle to a new temporary file for download; returns its path (the caller deletes it) and name."""
    fd, name = tempfile.mkstemp(prefix="sectrack-audit-", suffix=".zip")
    os.close(fd)
    path = Path(name)
    try:
        result = export_audit(session=session, out=path, as_of=as_of, settings=settings)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    stamp = canonical.isoformat_utc(result.scope.as_of)[:19].replace(":", "").replace("-", "")
    return path, f"sectrack-audit-export-{stamp}Z.zip"


def poam_bytes(*, session: Session, as_of: str | datetime | None = None, now: datetime | None = None) -> bytes:
    """The OSCAL POA&M document as of `as_of` (None: now), as file bytes."""
    source.begin_snapshot(session)
    scope = source.resolve_scope(session, as_of=_instant(as_of), now=now)
    findings = oscal.collect_findings(session, scope.as_of)
    return oscal.poam_bytes(oscal.build_poam(findings, as_of=scope.as_of, head=scope.head))


def export_poam(*, session: Session, out: Path, as_of: str | datetime | None = None) -> Path:
    """Write the POA&M to `out`."""
    data = poam_bytes(session=session, as_of=as_of)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def verify(path: Path, *, public_key: Path | None = None, limits: Limits | None = None) -> VerifyReport:
    """Verify a bundle file, with a trusted public key file when given."""
    return verify_file(path, public_key=public_key, limits=limits)
