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
MAX_EXAMPLES = 25


@pytest.mark.parametrize(("method", "path"), _OPERATIONS, ids=[f"{m} {p}" for m, p in _OPERATIONS])
def test_operation_conforms_to_its_schema_and_never_errors(
    engine: Engine, tokens: dict[Role, str], method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(engine))
    operation = schema[path][method]
    headers = auth(tokens[Role.staff])

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def exercise(case: schemathesis.Case) -> None:
        # A 422 for schema-valid input is right when a rule lies beyond JSON Schema (an opaque cursor the server
        # issues, cert_not_after after cert_not_before, the lines of an import file), so that check is skipped;
        # every other check (no 5xx, documented status codes, response schemas) still runs.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    exercise()
