"""Schemathesis drives every operation in our OpenAPI document: no server errors, responses match the schema.

Runs with a staff token (the everyday writer); routes staff may not use answer a documented 403. Operations are
read from the app's own /openapi.json, so every endpoint added later is covered automatically, on SQLite and on
PostgreSQL (where string lengths and types are enforced for real).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import Engine

from tests.conftest import auth
from tracker.app import create_app
from tracker.auth.models import Role
from tracker.db import make_engine

# The pytest plugin's lazy loader breaks on current pytest; drive Hypothesis per operation instead.
_OPERATIONS = sorted(
    (method.upper(), path)
    for path, ops in create_app(make_engine("sqlite://")).openapi()["paths"].items()
    for method in ops
)
# Each operation runs on SQLite and PostgreSQL; 15 examples per database still reach long strings, control
# characters and range edges (Hypothesis aims at boundaries first) while ~150 operations x 2 databases stay within
# minutes.
MAX_EXAMPLES = 15
# Rendering a PDF or building an archive costs ~1 s; their inputs are a few query parameters, so a handful of
# examples explores them as well as 25 would, without dominating the suite's run time.
RENDERING_SUFFIXES = (".pdf", ".zip", "/pdf")
MAX_EXAMPLES_RENDERING = 4


@pytest.mark.parametrize(("method", "path"), _OPERATIONS, ids=[f"{m} {p}" for m, p in _OPERATIONS])
def test_operation_conforms_to_its_schema_and_never_errors(
    engine: Engine, tokens: dict[Role, str], method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(engine))

    @schema.hook("map_query")
    def _no_invented_cursors(context: object, query: dict[str, object]) -> dict[str, object]:
        # A cursor is an opaque token only the API issues (a made-up one is a 422, tested in test_api_basics);
        # any string satisfies its schema, so generated ones would only test the rejection of forgeries.
        return {k: v for k, v in (query or {}).items() if k != "cursor"}

    operation = schema[path][method]
    headers = auth(tokens[Role.staff])

    examples = MAX_EXAMPLES_RENDERING if path.endswith(RENDERING_SUFFIXES) else MAX_EXAMPLES

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def exercise(case: schemathesis.Case) -> None:
        # A 422 for schema-valid input is right when a rule lies beyond JSON Schema (an opaque cursor the server
        # issues, cert_not_after after cert_not_before, the lines of an import file), so that check is skipped;
        # every other check (no 5xx, documented status codes, response schemas) still runs.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    exercise()
