"""Field types shared by the plan's models: text without control characters, dates in a sane range, PATCH rules.

The API schema says exactly what the services accept: text never carries control characters (PostgreSQL refuses
NUL in text), and dates lie in 2000-2100, so schedule arithmetic cannot overflow. A request the schema admits is
then either applied or refused for a reason of state (404 for a missing record, 409 for a rule), never 422.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, StringConstraints, WithJsonSchema
from sqlmodel import Field

# No control characters except tab, newline and carriage return.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
_DAY_PATTERN = r"^(?:20[0-9]{2}|2100)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"


def text(max_length: int, *, min_length: int = 0, default: Any = ..., **kwargs: Any) -> Any:
    """A text field of at most `max_length` characters without control characters."""
    return Field(
        default, min_length=min_length, max_length=max_length, schema_extra={"pattern": TEXT_PATTERN}, **kwargs
    )


def _check_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"{value.isoformat()} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}")
    return value


# A business date in 2000-2100 (YYYY-MM-DD).
PlanDate = Annotated[
    date,
    AfterValidator(_check_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DAY_PATTERN}),
]

# A short reference (document number, ticket, URL) in a list.
Reference = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=TEXT_PATTERN)]


def changes_of(data: BaseModel) -> dict[str, Any]:
    """The fields a PATCH body sets. An explicit null means "leave as is": none of these fields can be emptied."""
    return data.model_dump(exclude_unset=True, exclude_none=True)
