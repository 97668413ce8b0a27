"""Export and verify, as the API and the CLI call them: parse inputs, load the key, run the engine."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime, time
from pathlib import Path

from pydantic import TypeAdapter
from sqlmodel import Session

from reports.export import bundle, oscal, source
from reports.export.bundle import ExportResult
from reports.export.verify import Limits, VerifyReport, verify_file
from tracker import canonical
from tracker.errors import Invalid
from tracker.keys import load_signing_key
from tracker.settings import Settings, get_settings
from tracker.types import SEOUL

_DATETIME = TypeAdapter(datetime)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def parse_as_of(value: str | date | datetime) -> datetime:
    """A user's as-of instant in UTC: a bare date is the end of that day in Seoul, a datetime without a zone is
    Seoul time (as `tracker.types.parse_instant`); ValueError for anything else.

    Instants beyond what Python can hold in UTC are clamped to the first or last instant: an export before the
    first event is empty, and one after now is an export of now either way.
    """
    if isinstance(value, str):
        text = value.strip()
        value = date.fromisoformat(text) if len(text) == 10 else _DATETIME.validate_python(text)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(23, 59, 59, 999999), tzinfo=SEOUL)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SEOUL)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return _EARLIEST if value.year < 2000 else _LATEST


def _instant(as_of: str | date | datetime | None) -> datetime | None:
    if as_of is None:
        return None
    try:
        return parse_as_of(as_of)
    except ValueError as exc:
        raise Invalid(f"'{as_of}' is not an ISO date (YYYY-MM-DD) or datetime.", field="as_of") from exc


def export_audit(
    *,
    session: Session,
    out: Path,
    as_of: str | date | datetime | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Write the signed audit bundle as of `as_of` (a date, datetime or None for now) to `out`."""
    instant = _instant(as_of)
    key = load_signing_key((settings or get_settings()).signing_key_path())
    return bundle.export_bundle(session=session, out=out, key=key, as_of=instant, now=now)


def export_audit_file(
    *, session: Session, as_of: str | datetime | None = None, settings: Settings | None = None
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


def read_manifest(bundle_path: Path) -> bytes:
    """The exact bytes of a bundle's manifest.json (for the regulator report to attach next to the signature)."""
    import zipfile

    from reports.export.rules import MANIFEST

    try:
        with zipfile.ZipFile(bundle_path) as archive:
            return archive.read(MANIFEST)
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise Invalid(f"{bundle_path} is not a readable audit export (no {MANIFEST}).", field="export_bundle") from exc
