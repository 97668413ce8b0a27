"""Field types the inventory models share: instants, IP addresses, fingerprints, identifiers, text.

Every string pattern here also keeps NUL and other control characters out: PostgreSQL refuses NUL in text, and a
control character in a serial or a region is always a data error.
"""

from __future__ import annotations

import ipaddress
import socket
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from tracker.types import SEOUL

# A natural key: letters, digits and a few separators, no spaces (serials, cell ids, asset tags).
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/#-]*$"
# One line of human text (vendor, model, region, address): no control characters.
LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
# Free text (notes): tabs and line breaks allowed, other control characters not.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
FINGERPRINT_PATTERN = r"^[0-9a-fA-F]{64}$"
# A replacement-wave code such as W1 (the replacement domain owns the waves; the inventory keeps the code).
WAVE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"


def to_utc(value: datetime) -> datetime:
    """An instant in UTC; a naive value (or a bare date) is read as Asia/Seoul time, as Korean staff write it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SEOUL)
    return value.astimezone(UTC)


INSTANT_MESSAGE = "must be an ISO 8601 date or date-time, such as 2026-01-31 or 2026-01-31T09:00:00+09:00"


def looks_iso(text: str) -> bool:
    """True when `text` starts like an ISO 8601 calendar date (YYYY-MM-DD)."""
    return len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit() and text[5:7].isdigit()


def _iso_only(value: object) -> object:
    # pydantic also reads numbers (and digit strings) as Unix timestamps; in an inventory file "2020" is a typo.
    if isinstance(value, str):
        if not looks_iso(value.strip()):
            raise ValueError(INSTANT_MESSAGE)
    elif not isinstance(value, datetime):
        raise ValueError(INSTANT_MESSAGE)
    return value


def instant_text(value: object) -> str:
    """Parse an instant (ISO text or datetime) straight to canonical UTC text; the bulk-import fast path.

    Accepts what the API's `Instant` accepts (naive means Asia/Seoul) in one call: imports parse millions of these.
    """
    if isinstance(value, str):
        text = value.strip()
        size = len(text)
        try:
            # Fast paths for UTC text with a Z (what exports and the network management system write); the shape
            # test plus fromisoformat (which checks every digit and the calendar) is a full validation.
            if size == 27 and text[26] == "Z" and text[10] == "T" and text[4] == "-" and text[19] == ".":
                datetime.fromisoformat(text[:26])
                return text
            if size == 20 and text[19] == "Z" and text[10] == "T" and text[4] == "-":
                datetime.fromisoformat(text[:19])
                return text[:19] + ".000000Z"
            if not looks_iso(text):
                raise ValueError(INSTANT_MESSAGE)
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(INSTANT_MESSAGE) from None
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise ValueError(INSTANT_MESSAGE)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SEOUL)
    offset = parsed.utcoffset()
    if offset:
        parsed = parsed - offset
    return parsed.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def date_text(value: object) -> str:
    """Parse a calendar date (YYYY-MM-DD text or a date) to its ISO text; the bulk-import fast path."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10 and looks_iso(text):
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                pass
    raise ValueError("must be a date such as 2026-01-31")


def normalise_ip(value: str) -> str:
    """The canonical text of an IPv4 or IPv6 address (e.g. IPv6 compressed, no leading zeros)."""
    value = value.strip()
    try:
        # inet_pton accepts exactly the canonical dotted quad and is ten times faster than ipaddress (imports).
        socket.inet_pton(socket.AF_INET, value)
        return value
    except OSError:
        pass
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError("must be an IPv4 or IPv6 address") from None


def ipv4_as_int(value: str | None) -> int | None:
    """The IPv4 address as an integer for SQL range checks; None for IPv6 or no address."""
    if value is None or ":" in value:
        return None
    return int.from_bytes(socket.inet_pton(socket.AF_INET, value), "big")


# Any datetime a client sends, stored as UTC.
Instant = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(to_utc)]
IpAddress = Annotated[str, AfterValidator(normalise_ip)]
# SHA-256 certificate fingerprints, stored and compared as lowercase hex.
Fingerprint = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=64, max_length=64, pattern=FINGERPRINT_PATTERN),
]
