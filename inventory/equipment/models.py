"""Legacy equipment: core routers, switches, authentication and billing servers, HSS/HLR, firewalls...

Lifecycle (`ALLOWED_TRANSITIONS`): in_service → replacement_planned → replacing → replaced → retired. Two more
moves are allowed because operations need them: replacement_planned → in_service (the item was taken out of a
replacement wave, e.g. re-planned or found not to need replacing) and in_service → retired (a function that is
switched off rather than replaced, e.g. a consolidated billing database; retiring it still records `retired_at`).
Once replacing, an item can only go on to replaced; retired is final. `replaced_at` and `retired_at` are stamped on
the transition unless given with it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import ConfigDict
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from inventory.fields import KEY_PATTERN, LINE_PATTERN, TEXT_PATTERN, WAVE_PATTERN, Instant
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, enum_column, now_utc


class EquipmentStatus(StrEnum):
    """Where an item is in its replacement."""

    in_service = "in_service"
    replacement_planned = "replacement_planned"
    replacing = "replacing"
    replaced = "replaced"
    retired = "retired"


E = EquipmentStatus
ALLOWED_TRANSITIONS: dict[EquipmentStatus, frozenset[EquipmentStatus]] = {
    E.in_service: frozenset({E.replacement_planned, E.retired}),
    E.replacement_planned: frozenset({E.replacing, E.in_service}),
    E.replacing: frozenset({E.replaced}),
    E.replaced: frozenset({E.retired}),
    E.retired: frozenset(),
}

REQUIRED_FIELDS = ("asset_tag", "category", "vendor", "model", "location", "criticality", "end_of_support")


class EquipmentBase(SQLModel):
    """The fields a client provides; CSV imports use these names as header columns."""

    model_config = ConfigDict(str_strip_whitespace=True)  # type: ignore[assignment]

    asset_tag: str = Field(min_length=1, max_length=64, unique=True, schema_extra={"pattern": KEY_PATTERN})
    # e.g. core router, switch, authentication server, billing DB server, HSS/HLR, firewall.
    category: str = Field(min_length=1, max_length=60, schema_extra={"pattern": LINE_PATTERN})
    vendor: str = Field(min_length=1, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    model: str = Field(min_length=1, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    location: str = Field(min_length=1, max_length=200, schema_extra={"pattern": LINE_PATTERN})
    # 1 is the most critical (core network, subscriber data), 4 the least.
    criticality: int = Field(ge=1, le=4)
    holds_personal_data: bool = Field(default=False)
    end_of_support: date
    status: EquipmentStatus = Field(default=EquipmentStatus.in_service, sa_column=enum_column(EquipmentStatus))
    # The replacement wave's code (e.g. W1); the replacement plan owns the waves themselves.
    replacement_wave: str | None = Field(default=None, max_length=20, schema_extra={"pattern": WAVE_PATTERN})
    target_date: date | None = None
    replaced_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    retired_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=2000, schema_extra={"pattern": TEXT_PATTERN})


class Equipment(VersionedMixin, EquipmentBase, table=True):
    """One item of legacy equipment."""

    __tablename__ = "equipment"
    __table_args__ = (
        Index("ix_equipment_status_id", "status", "id"),
        Index("ix_equipment_category_id", "category", "id"),
        Index("ix_equipment_vendor_id", "vendor", "id"),
        Index("ix_equipment_model_id", "model", "id"),
        Index("ix_equipment_criticality_id", "criticality", "id"),
        Index("ix_equipment_end_of_support_id", "end_of_support", "id"),
        Index("ix_equipment_replacement_wave_id", "replacement_wave", "id"),
        Index("ix_equipment_updated_at_id", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class EquipmentCreate(EquipmentBase):
    """A new item; status defaults to in_service."""


class EquipmentUpdate(SQLModel):
    """A partial change; fields left out stay as they are. Status changes follow the lifecycle."""

    model_config = ConfigDict(str_strip_whitespace=True)  # type: ignore[assignment]

    asset_tag: str | None = Field(default=None, min_length=1, max_length=64, schema_extra={"pattern": KEY_PATTERN})
    category: str | None = Field(default=None, min_length=1, max_length=60, schema_extra={"pattern": LINE_PATTERN})
    vendor: str | None = Field(default=None, min_length=1, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    model: str | None = Field(default=None, min_length=1, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    location: str | None = Field(default=None, min_length=1, max_length=200, schema_extra={"pattern": LINE_PATTERN})
    criticality: int | None = Field(default=None, ge=1, le=4)
    holds_personal_data: bool | None = None
    end_of_support: date | None = None
    status: EquipmentStatus | None = None
    replacement_wave: str | None = Field(default=None, max_length=20, schema_extra={"pattern": WAVE_PATTERN})
    target_date: date | None = None
    replaced_at: Instant | None = None
    retired_at: Instant | None = None
    note: str | None = Field(default=None, max_length=2000, schema_extra={"pattern": TEXT_PATTERN})


class EquipmentPublic(EquipmentBase):
    """An item as the API returns it."""

    id: int
    created_at: datetime
    updated_at: datetime
    version: int


class EquipmentOrder(StrEnum):
    """Sort keys for the list; a leading '-' sorts descending. Every key is indexed."""

    id = "id"
    id_desc = "-id"
    asset_tag = "asset_tag"
    asset_tag_desc = "-asset_tag"
    end_of_support = "end_of_support"
    end_of_support_desc = "-end_of_support"
    criticality = "criticality"
    criticality_desc = "-criticality"
    updated_at = "updated_at"
    updated_at_desc = "-updated_at"


class EquipmentFilter(SQLModel):
    """List filters; all given filters must hold."""

    status: EquipmentStatus | None = None
    category: str | None = Field(default=None, max_length=60, schema_extra={"pattern": LINE_PATTERN})
    vendor: str | None = Field(default=None, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    model: str | None = Field(default=None, max_length=100, schema_extra={"pattern": LINE_PATTERN})
    criticality: int | None = Field(default=None, ge=1, le=4)
    holds_personal_data: bool | None = None
    replacement_wave: str | None = Field(default=None, max_length=20, schema_extra={"pattern": LINE_PATTERN})
    end_of_support_before: date | None = None
    end_of_support_after: date | None = None
    # Prefix of the asset tag.
    q: str | None = Field(default=None, min_length=1, max_length=64, schema_extra={"pattern": LINE_PATTERN})
