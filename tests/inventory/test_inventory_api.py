"""The inventory over HTTP: ETag and If-Match, lifecycle 409s, filters, streamed imports, access-event ingestion."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import auth
from tests.inventory.factories import access_event, csv_bytes, equipment_data, femtocell_data, jsonl_bytes
from tracker.auth.models import Role

CSV = {"Content-Type": "text/csv"}
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def staff(tokens: dict[Role, str]) -> dict[str, str]:
    return auth(tokens[Role.staff])


def create(client: TestClient, headers: dict[str, str], **fields: object) -> dict[str, object]:
    response = client.post("/api/v1/femtocells", json=femtocell_data(**fields), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_get_returns_an_etag_and_patch_needs_the_current_one(client: TestClient, staff: dict[str, str]) -> None:
    unit = create(client, staff)
    url = f"/api/v1/femtocells/{unit['id']}"
    got = client.get(url, headers=staff)
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    changed = client.patch(url, json={"firmware": "3.3"}, headers=staff | {"If-Match": got.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    stale = client.patch(url, json={"firmware": "3.4"}, headers=staff | {"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["errors"][0]["field"] == "If-Match"
    assert client.get(url, headers=staff).json()["firmware"] == "3.3"
    garbage = client.patch(url, json={"firmware": "3.5"}, headers=staff | {"If-Match": "yesterday"})
    assert garbage.status_code == 422


def test_an_illegal_transition_is_409_naming_the_allowed_states(client: TestClient, staff: dict[str, str]) -> None:
    unit = create(client, staff, status="blocked")
    response = client.patch(f"/api/v1/femtocells/{unit['id']}", json={"status": "active"}, headers=staff)
    assert response.status_code == 409
    assert response.json()["message"].endswith("allowed next states: decommissioned, lost.")


def test_delete_decommissions_and_keeps_the_record(client: TestClient, staff: dict[str, str]) -> None:
    unit = create(client, staff, status="active")
    url = f"/api/v1/femtocells/{unit['id']}"
    assert client.delete(url, headers=staff | {"If-Match": '"7"'}).status_code == 412
    gone = client.delete(url, headers=staff | {"If-Match": '"1"'})
    assert gone.status_code == 200
    body = gone.json()
    assert body["status"] == "decommissioned" and body["cert_revocation_required"] is True
    assert client.get(url, headers=staff).status_code == 200
    history = client.get(f"{url}/history", headers=staff).json()
    assert [e["state"]["status"] for e in history] == ["active", "decommissioned"]


def test_notes_are_returned_as_plain_text(client: TestClient, staff: dict[str, str]) -> None:
    unit = create(client, staff, note="<script>alert(1)</script> 설치 위치 변경")
    assert client.get(f"/api/v1/femtocells/{unit['id']}", headers=staff).json()["note"] == unit["note"]


def test_list_filters_and_orders_over_http(client: TestClient, staff: dict[str, str]) -> None:
    create(client, staff, region="부산", serial="B-2")
    create(client, staff, region="부산", serial="B-1")
    create(client, staff, region="서울", serial="S-1")
    page = client.get("/api/v1/femtocells", params={"region": "부산", "order_by": "-serial"}, headers=staff)
    assert page.status_code == 200
    assert [u["serial"] for u in page.json()["items"]] == ["B-2", "B-1"]
    assert client.get("/api/v1/femtocells", params={"order_by": "colour"}, headers=staff).status_code == 422
    assert client.get("/api/v1/femtocells", params={"status": "stolen"}, headers=staff).status_code == 422


def test_the_board_cannot_read_the_inventory_and_the_regulator_can(client: TestClient, tokens: dict[Role, str]) -> None:
    assert client.get("/api/v1/femtocells", headers=auth(tokens[Role.board])).status_code == 403
    assert client.get("/api/v1/femtocells", headers=auth(tokens[Role.regulator])).status_code == 200
    assert (
        client.post("/api/v1/femtocells", json=femtocell_data(), headers=auth(tokens[Role.regulator])).status_code
        == 403
    )


def test_csv_import_over_http_reports_counts_and_dry_runs(client: TestClient, staff: dict[str, str]) -> None:
    rows = [femtocell_data(), femtocell_data()]
    dry = client.post(
        "/api/v1/femtocells/import", params={"dry_run": "true"}, content=csv_bytes(rows), headers=staff | CSV
    )
    assert dry.json() == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": True}
    assert client.get("/api/v1/femtocells", headers=staff).json()["items"] == []
    done = client.post("/api/v1/femtocells/import", content=csv_bytes(rows, bom=True), headers=staff | CSV)
    assert done.status_code == 200 and done.json()["created"] == 2
    again = client.post("/api/v1/femtocells/import", content=jsonl_bytes(rows), headers=staff | NDJSON)
    assert again.json()["unchanged"] == 2


def test_a_streamed_import_body_is_read_in_chunks(client: TestClient, staff: dict[str, str]) -> None:
    data = csv_bytes([femtocell_data() for _ in range(300)])

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(data), 997):
            yield data[start : start + 997]

    response = client.post("/api/v1/femtocells/import", content=chunks(), headers=staff | CSV)
    assert response.status_code == 200 and response.json()["created"] == 300


def test_a_bad_import_is_422_listing_lines_and_writes_nothing(client: TestClient, staff: dict[str, str]) -> None:
    rows = [femtocell_data(), femtocell_data(status="stolen"), femtocell_data(cert_fingerprint="xyz")]
    response = client.post("/api/v1/femtocells/import", content=csv_bytes(rows), headers=staff | CSV)
    assert response.status_code == 422
    assert [(e["line"], e["field"]) for e in response.json()["errors"]] == [(3, "status"), (4, "cert_fingerprint")]
    assert client.get("/api/v1/femtocells", headers=staff).json()["items"] == []


def test_an_import_needs_a_csv_or_ndjson_content_type(client: TestClient, staff: dict[str, str]) -> None:
    response = client.post("/api/v1/femtocells/import", json=[femtocell_data()], headers=staff)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "Content-Type"


def test_equipment_over_http(client: TestClient, staff: dict[str, str]) -> None:
    created = client.post("/api/v1/equipment", json=equipment_data(status="replacing"), headers=staff)
    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    url = f"/api/v1/equipment/{created.json()['id']}"
    refused = client.delete(url, headers=staff)
    assert refused.status_code == 409 and "allowed next states: replaced" in refused.json()["message"]
    imported = client.post("/api/v1/equipment/import", content=csv_bytes([equipment_data()]), headers=staff | CSV)
    assert imported.json()["created"] == 1
    page = client.get("/api/v1/equipment", params={"end_of_support_before": "2028-01-01"}, headers=staff)
    assert len(page.json()["items"]) == 2


def test_access_events_accept_a_json_array_csv_or_ndjson(client: TestClient, staff: dict[str, str]) -> None:
    as_json = client.post("/api/v1/access-events", json=[access_event(), access_event()], headers=staff)
    assert as_json.status_code == 201 and as_json.json()["count"] == 2
    as_csv = client.post("/api/v1/access-events", content=csv_bytes([access_event()]), headers=staff | CSV)
    assert as_csv.status_code == 201
    as_ndjson = client.post("/api/v1/access-events", content=jsonl_bytes([access_event()]), headers=staff | NDJSON)
    assert as_ndjson.status_code == 201
    listed = client.get("/api/v1/access-events", headers=staff).json()["items"]
    assert len(listed) == 4 and "subscriber_id" not in listed[0]
    assert "450081234567890" not in json.dumps(listed)
    batches = client.get("/api/v1/access-events/batches", headers=staff).json()["items"]
    assert [b["count"] for b in batches] == [2, 1, 1]
    one = client.get(f"/api/v1/access-events/batches/{batches[0]['id']}", headers=staff).json()
    assert one["digest"] == as_json.json()["digest"]


TEXT_FILTERS = [
    ("/api/v1/access-events", "cell_id"),
    *(("/api/v1/femtocells", f) for f in ("region", "vendor", "model", "cert_fingerprint", "q")),
    *(("/api/v1/equipment", f) for f in ("category", "vendor", "model", "replacement_wave", "q")),
]


@pytest.mark.parametrize(("path", "field"), TEXT_FILTERS)
def test_a_text_filter_with_a_control_character_is_422_naming_it(
    client: TestClient, staff: dict[str, str], path: str, field: str
) -> None:
    # PostgreSQL refuses NUL in text: a filter is checked like the stored field, before any query runs.
    for bad in ("\x00", "x\x01"):
        response = client.get(path, params={field: bad}, headers=staff)
        assert response.status_code == 422, (field, bad)
        assert field in response.text


def test_a_refused_access_event_batch_never_echoes_the_subscriber(client: TestClient, staff: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/access-events",
        json=[access_event(subscriber_id="45008SECRET 99"), access_event(result="maybe")],
        headers=staff,
    )
    assert response.status_code == 422
    assert [e["line"] for e in response.json()["errors"]] == [1, 2]
    assert "SECRET" not in response.text


def test_a_json_array_over_the_limit_is_413(
    client: TestClient, staff: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory import http

    monkeypatch.setattr(http, "MAX_JSON_ARRAY_BYTES", 1000)
    response = client.post("/api/v1/access-events", json=[access_event()] * 50, headers=staff)
    assert response.status_code == 413 and "application/x-ndjson" in response.json()["message"]


def test_an_overlong_line_in_an_http_import_is_422_naming_it(client: TestClient, staff: dict[str, str]) -> None:
    data = (
        csv_bytes([femtocell_data()]) + b"x" * (2 * 1024 * 1024) + b"\n" + csv_bytes([femtocell_data()]).split(b"\n")[1]
    )
    response = client.post("/api/v1/femtocells/import", content=data, headers=staff | CSV)
    assert response.status_code == 422
    assert [(e["line"], e["message"]) for e in response.json()["errors"]] == [
        (3, "The line is longer than 1,048,576 bytes.")
    ]
