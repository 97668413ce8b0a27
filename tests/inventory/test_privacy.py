"""No raw subscriber identifier reaches the database: the stored bytes are searched for each one."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from inventory.access_events import service
from inventory.imports import ImportFormat
from tests.inventory.factories import access_event, csv_bytes
from tracker.auth.models import Principal
from tracker.db import write_session
from tracker.settings import sqlite_path

RAW_IDS = ["450081111111111", "359999012345678", "+821012345678"]


def test_raw_subscriber_ids_appear_nowhere_in_the_database(
    file_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events = [access_event(subscriber_id=raw, cell_id=f"45008-{n:07d}") for n, raw in enumerate(RAW_IDS * 50)]
    with write_session(file_engine) as session:
        service.ingest_stream(
            session=session,
            stream=io.BytesIO(csv_bytes(events)),
            fmt=ImportFormat.csv,
            source="nms-export.csv",
            actor=Principal.system("test"),
        )
    if file_engine.dialect.name == "sqlite":
        db = sqlite_path(file_engine.url.render_as_string(hide_password=False))
        assert db is not None
        stored = b"".join(p.read_bytes() for p in Path(db).parent.glob(f"{db.name}*"))
        assert b"45008-0000001" in stored  # the search does see the data
        for raw in RAW_IDS:
            assert raw.encode() not in stored
            assert raw.encode("utf-16-le") not in stored
    else:
        with file_engine.connect() as conn:
            for raw in RAW_IDS:
                like = {"raw": f"%{raw}%"}
                assert conn.execute(text("SELECT count(*) FROM audit_event WHERE state LIKE :raw"), like).scalar() == 0
                hits = conn.execute(
                    text(
                        "SELECT count(*) FROM access_event WHERE subscriber_pseudonym LIKE :raw OR cell_id LIKE :raw "
                        "OR source_ip LIKE :raw"
                    ),
                    like,
                ).scalar()
                assert hits == 0
    for raw in RAW_IDS:
        assert raw not in caplog.text
