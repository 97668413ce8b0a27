"""canonical.flat_bytes (orjson for flat records) writes exactly canonical.dump_bytes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.femtocells.models import FemtocellStatus
from tracker import canonical

# Any code point, with the ones JSON writers disagree on made frequent: lone surrogates (orjson refuses them),
# control characters, DEL, the JavaScript line separators, quotes and backslashes, non-ASCII text.
_tricky = st.sampled_from(["\ud800", "\udfff", "\x00", "\x1f", "\x7f", "\u2028", "\u2029", '"', "\\", "/", "é", "한"])
_text = st.text(st.characters(codec=None, categories=None) | _tricky, max_size=20)
_flat_values = st.one_of(st.none(), st.booleans(), st.integers(), _text)
_other_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.lists(_flat_values, max_size=3),
    st.dictionaries(_text, _flat_values, max_size=3),
)


def _outcome(encode: Callable[[Any], bytes], record: Any) -> bytes | type[BaseException]:
    try:
        return encode(record)
    except (TypeError, ValueError) as exc:  # a lone surrogate cannot be UTF-8: UnicodeEncodeError, as ever
        return type(exc)


def assert_same_as_canonical(record: Any) -> None:
    assert _outcome(canonical.flat_bytes, record) == _outcome(canonical.dump_bytes, record)


@given(st.dictionaries(_text, _flat_values, max_size=12))
@settings(max_examples=500, deadline=None)
def test_flat_records_are_written_exactly_as_canonical_json(record: dict[str, Any]) -> None:
    assert_same_as_canonical(record)


@given(st.dictionaries(_text, st.one_of(_flat_values, _other_values), max_size=8))
@settings(max_examples=300, deadline=None)
def test_any_other_record_is_left_to_canonical_json(record: dict[str, Any]) -> None:
    assert_same_as_canonical(record)


@pytest.mark.parametrize(
    "record",
    [
        {"n": 2**64, "m": -(2**63) - 1, "k": 2**63 - 1, "l": -(2**63)},  # beyond 64 bits: orjson refuses
        {"s": "\ud800 lone surrogate"},  # (never in an import: validation refuses them) not UTF-8 either way
        {"\udfff": "surrogate key"},
        {"이름": '한국어 "따옴표" \\ \n\r\t\b\f\x00\x1f\x7f\u2028\u2029 é 😀', "": ""},
        {"b": True, "c": False, "z": None, "a": 0},
        {"float": 1e16, "small": 1e-7, "s": "x"},
        {"when": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "day": date(2026, 1, 2)},
        {"status": FemtocellStatus.active, "n": 1},  # a str subclass
        {"nested": {"b": 1, "a": [1, "둘", None]}},
        {},
        OrderedDict([("b", 1), ("a", 2)]),
    ],
)
def test_tricky_records_are_written_exactly_as_canonical_json(record: dict[str, Any]) -> None:
    assert_same_as_canonical(record)


def test_what_canonical_json_refuses_is_refused_alike() -> None:
    assert _outcome(canonical.flat_bytes, {"x": object()}) is TypeError
    assert _outcome(canonical.flat_bytes, {"s": "\ud800"}) is UnicodeEncodeError
    assert _outcome(canonical.flat_bytes, {1: "non-str key"}) == canonical.dump_bytes({1: "non-str key"})
