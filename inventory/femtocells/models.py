"""Femtocells: small base stations in homes and businesses, their certificate and their lifecycle.

Lifecycle (`ALLOWED_TRANSITIONS`): registered → active ↔ suspended; any unit not yet decommissioned may be blocked,
lost or decommissioned (blocking must always be possible: it is the response to a unit misbehaving); a blocked unit
is never reactivated (its identity may be cloned: replace it), only lost or decommissioned; a lost unit may be
blocked (it reappeared on the network) or decommissioned (found again, or written off); decommissioned is final.
Decommissioning sets `cert_revocation_required`; `cert_revoked_at` records when the certificate was revoked.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import ConfigDict
from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from inventory.fields import (
    KEY_PATTERN,
    LINE_PATTERN,
    TEXT_PATTERN,
    Fingerprint,
    Instant,
    IpAddress,
)
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, enum_column, now_utc


class FemtocellStatus(StrEnum):
    """Where a unit is in its life."""

    registered = "registered"
    active = "active"
    suspended = "suspended"
    blocked = "blocked"
    lost = "lost"
    decommissioned = "decommissioned"


class SiteType(StrEnum):
    """Where the unit is installed."""

    home = "home"
    business = "business"


S = FemtocellStatus
ALLOWED_TRANSITIONS: dict[FemtocellStatus, frozenset[FemtocellStatus]] = {
    S.registered: frozenset({S.active, S.blocked, S.lost, S.decommissioned}),
    S.active: frozenset({S.suspended, S.blocked, S.lost, S.decommissioned}),
    S.suspended: frozenset({S.active, S.blocked, S.lost, S.decommissioned}),
    S.blocked: frozenset({S.lost, S.decommissioned}),
    S.lost: frozenset({S.blocked, S.decommissioned}),
    S.decommissioned: frozenset(),
}

# Columns a client may set (create, import, PATCH); the rest are kept by the server.
REQUIRED_FIELDS = (
    "serial",
    "cell_id",
    "vendor",
    "model",
    "firmware",
    "cert_fingerprint",
    "cert_not_before",
    "cert_not_after",
    "region",
    "site_type",
)


class FemtocellBase(SQLModel):
    """The fields a client provides; CSV imports use these names as header columns."""

    model_config = ConfigDict(str_strip_whitespace=True)  # type: ignore[assignment]

    serial: str = Field(min_length=1, max_length=64, unique=True, schema_extra={"pattern": KEY_PATTERN})
    # The id the network sees (E-UTRAN cell identity as the core network logs it).
    cell_id: str = Field(min_length=1, max_length=64, unique=True, schema_extra={"pattern": KEY_PATTERN})
    vendor: str = Field(min_length=1, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    model: str = Field(min_length=1, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    firmware: str = Field(min_length=1, max_length=64, schema_extra={"pattern": LINE_PATTERN})
    vendor_batch: str | None = Field(default=None, max_length=64, schema_extra={"pattern": LINE_PATTERN})
    installed_at: date | None = None
    # The security gateway (SeGW) the unit's IPsec tunnel terminates on.
    segw: str | None = Field(default=None, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    registered_address: str | None = Field(default=None, max_length=300, schema_extra={"pattern": LINE_PATTERN})
    # SHA-256 of the certificate, 64 hex digits (stored lowercase); shared fingerprints mean a shared certificate.
    cert_fingerprint: Fingerprint = Field(max_length=64)
    cert_not_before: Instant = Field(sa_type=UTCDateTime)
    cert_not_after: Instant = Field(sa_type=UTCDateTime)
    region: str = Field(min_length=1, max_length=50, schema_extra={"pattern": LINE_PATTERN})
    site_type: SiteType = Field(sa_column=enum_column(SiteType))
    status: FemtocellStatus = Field(default=FemtocellStatus.registered, sa_column=enum_column(FemtocellStatus))
    # Reported by the network management system (imports or PATCH), never derived from access events here.
    last_seen_at: Instant | None = Field(default=None, sa_type=UTCDateTime, index=True)
    last_source_ip: IpAddress | None = Field(default=None, max_length=45)
    config_verified_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    activated_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    blocked_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    lost_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    # A lost unit found again; it then goes to decommissioned.
    recovered_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    decommissioned_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    cert_revoked_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=2000, schema_extra={"pattern": TEXT_PATTERN})


class Femtocell(VersionedMixin, FemtocellBase, table=True):
    """One femtocell in the operator's fleet."""

    __tablename__ = "femtocell"
    # (filter, id): a filtered list ordered by id walks one index in order (keyset pagination on 1M rows).
    __table_args__ = (
        Index("ix_femtocell_status_id", "status", "id"),
        Index("ix_femtocell_region_id", "region", "id"),
        Index("ix_femtocell_vendor_id", "vendor", "id"),
        Index("ix_femtocell_model_id", "model", "id"),
        Index("ix_femtocell_cert_fingerprint_id", "cert_fingerprint", "id"),
        Index("ix_femtocell_cert_not_after_id", "cert_not_after", "id"),
        Index("ix_femtocell_updated_at_id", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The IPv4 address as an integer so controls can test operator ranges in SQL; null for IPv6.
    last_source_ip_v4: int | None = Field(default=None, sa_type=BigInteger)
    cert_revocation_required: bool = Field(default=False, nullable=False)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class FemtocellCreate(FemtocellBase):
    """A new femtocell; status defaults to registered."""


class FemtocellUpdate(SQLModel):
    """A partial change; fields left out stay as they are. Status changes follow the lifecycle."""

    model_config = ConfigDict(str_strip_whitespace=True)  # type: ignore[assignment]

    serial: str | None = Field(default=None, min_length=1, max_length=64, schema_extra={"pattern": KEY_PATTERN})
    cell_id: str | None = Field(default=None, min_length=1, max_length=64, schema_extra={"pattern": KEY_PATTERN})
    vendor: str | None = Field(default=None, min_length=1, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    model: str | None = Field(default=None, min_length=1, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    firmware: str | None = Field(default=None, min_length=1, max_length=64, schema_extra={"pattern": LINE_PATTERN})
    vendor_batch: str | None = Field(default=None, max_length=64, schema_extra={"pattern": LINE_PATTERN})
    installed_at: date | None = None
    segw: str | None = Field(default=None, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    registered_address: str | None = Field(default=None, max_length=300, schema_extra={"pattern": LINE_PATTERN})
    cert_fingerprint: Fingerprint | None = Field(default=None, max_length=64)
    cert_not_before: Instant | None = None
    cert_not_after: Instant | None = None
    region: str | None = Field(default=None, min_length=1, max_length=50, schema_extra={"pattern": LINE_PATTERN})
    site_type: SiteType | None = None
    status: FemtocellStatus | None = None
    last_seen_at: Instant | None = None
    last_source_ip: IpAddress | None = Field(default=None, max_length=45)
    config_verified_at: Instant | None = None
    activated_at: Instant | None = None
    blocked_at: Instant | None = None
    lost_at: Instant | None = None
    recovered_at: Instant | None = None
    decommissioned_at: Instant | None = None
    cert_revoked_at: Instant | None = None
    note: str | None = Field(default=None, max_length=2000, schema_extra={"pattern": TEXT_PATTERN})


class FemtocellPublic(FemtocellBase):
    """A femtocell as the API returns it."""

    id: int
    last_source_ip_v4: int | None
    cert_revocation_required: bool
    created_at: datetime
    updated_at: datetime
    version: int


class FemtocellOrder(StrEnum):
    """Sort keys for the list; a leading '-' sorts descending. Every key is indexed."""

    id = "id"
    id_desc = "-id"
    serial = "serial"
    serial_desc = "-serial"
    cell_id = "cell_id"
    cell_id_desc = "-cell_id"
    cert_not_after = "cert_not_after"
    cert_not_after_desc = "-cert_not_after"
    updated_at = "updated_at"
    updated_at_desc = "-updated_at"


class FemtocellFilter(SQLModel):
    """List filters; all given filters must hold."""

    status: FemtocellStatus | None = None
    region: str | None = Field(default=None, max_length=50, schema_extra={"pattern": LINE_PATTERN})
    vendor: str | None = Field(default=None, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    model: str | None = Field(default=None, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    site_type: SiteType | None = None
    cert_fingerprint: str | None = Field(default=None, max_length=64, schema_extra={"pattern": LINE_PATTERN})
    cert_not_after_before: Instant | None = None
    cert_not_after_after: Instant | None = None
    # Prefix of the serial or of the cell id (prefix, so it stays an index range on a million rows).
    q: str | None = Field(default=None, min_length=1, max_length=64, schema_extra={"pattern": LINE_PATTERN})
