"""Key-value facts about this installation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from tracker.types import UTCDateTime, now_utc


class SystemMeta(SQLModel, table=True):
    """One installation fact; `value` is canonical JSON."""

    __tablename__ = "system_meta"

    key: str = Field(sa_column=Column(String(100), primary_key=True))
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)
