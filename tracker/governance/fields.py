"""Input field types shared by the governance and commitments API models.

Every constraint on a single value is stated in the OpenAPI schema as well as enforced (422 when broken), so a
client (or a schema-driven test) that follows the schema is never refused for a reason the schema did not tell it.
Rules between fields or against the stored state are the services' business: 409 naming the field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, StringConstraints, WithJsonSchema
from sqlmodel import Field

from tracker.errors import Invalid

# No C0 control characters except tab, line feed and carriage return: PostgreSQL refuses NUL in text, and the
# others are never meant in a title or minutes.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
# A lower-case identifier, e.g. a commitment code or a measurement's metric name.
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"

# Dates and instants a user may enter: this century. Wider years buy nothing and invite arithmetic overflow.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
_DAY_PATTERN = r"20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME_PATTERN = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"


def text(max_length: int, *, min_length: int = 1, default: Any = ..., **kwargs: Any) -> Any:
    """A text field of at most `max_length` characters without control characters."""
    return Field(
        default, min_length=min_length, max_length=max_length, schema_extra={"pattern": TEXT_PATTERN}, **kwargs
    )


def _check_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"{value.isoformat()} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}")
    return value


def _check_instant(value: datetime) -> datetime:
    value = value.astimezone(UTC)
    _check_day(value.date())
    return value


# A calendar date (Asia/Seoul calendar) in 2000-2099.
Day = Annotated[
    date,
    AfterValidator(_check_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": f"^{_DAY_PATTERN}$"}),
]

# A timezone-aware instant in 2000-2099, normalised to UTC.
Instant = Annotated[
    AwareDatetime,
    AfterValidator(_check_instant),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": f"^{_DAY_PATTERN}T{_TIME_PATTERN}$",
        }
    ),
]


# A list element of up to 200 characters (e.g. a recipient's name), constrained like `text(200)`.
TextItem200 = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=TEXT_PATTERN)]


def changes_of(data: BaseModel, *, required: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields a PATCH body set; an explicit null on a field that cannot be empty is refused (422)."""
    changes = data.model_dump(exclude_unset=True)
    for name in sorted(required & changes.keys()):
        if changes[name] is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep the current value.", field=name)
    return changes
