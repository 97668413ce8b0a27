"""The message catalog and Korean number, money and date formatting."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from reports import i18n
from reports.i18n import Lang, Translator, big_count, day, instant, month, won
from reports.registry import REPORTS
from reports.render import TEMPLATES_DIR

REPORTS_DIR = Path(i18n.__file__).resolve().parent


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_000_000_000_000, "1조 원"),
        (243_000_000_000, "2,430억 원"),
        (243_190_000, "2억 4,319만 원"),
        (1_234_567_890_123, "1조 2,345억 원"),
        (12_345, "1만 2,345원"),
        (9_999, "9,999원"),
        (0, "0원"),
        (-243_190_000, "-2억 4,319만 원"),
    ],
)
def test_korean_won_uses_jo_eok_man_units_keeping_the_two_largest(amount: int, text: str) -> None:
    assert won(amount, Lang.ko) == text


def test_precise_korean_won_keeps_every_unit() -> None:
    assert won(1_234_567_890_123, Lang.ko, precise=True) == "1조 2,345억 6,789만 123원"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_000_000_000_000, "KRW 1.0 trillion"),
        (243_000_000_000, "KRW 243.0 billion"),
        (243_190_000, "KRW 243.2 million"),
        (999_999, "KRW 999,999"),
    ],
)
def test_english_won_uses_trillion_billion_million(amount: int, text: str) -> None:
    assert won(amount, Lang.en) == text


def test_precise_english_won_is_every_digit() -> None:
    assert won(243_190_000, Lang.en, precise=True) == "KRW 243,190,000"


def test_large_counts_use_units_from_a_hundred_million() -> None:
    assert big_count(4_030_000_000_000, Lang.ko) == "4조 300억"
    assert big_count(4_030_000_000_000, Lang.en) == "4.03 trillion"
    assert big_count(157_000, Lang.ko) == "157,000"


def test_instants_are_shown_in_seoul_time() -> None:
    at = datetime(2026, 1, 15, 15, 3, tzinfo=UTC)  # 00:03 the next day in Seoul
    assert instant(at, Lang.ko) == "2026년 1월 16일 00:03 KST"
    assert instant(at, Lang.en) == "16 Jan 2026 00:03 KST"


def test_dates_and_months_in_both_languages() -> None:
    assert day(date(2025, 12, 29), Lang.ko) == "2025년 12월 29일"
    assert day(date(2025, 12, 29), Lang.en) == "29 Dec 2025"
    assert month("2026-06", Lang.ko) == "2026년 6월"
    assert month("2026-06", Lang.en) == "June 2026"


def test_every_message_has_korean_and_english_text() -> None:
    for key, texts in i18n.MESSAGES.items():
        assert set(texts) == {"ko", "en"}, key
        assert all(texts.values()), key


def test_placeholders_are_the_same_in_both_languages() -> None:
    for key, texts in i18n.MESSAGES.items():
        names = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
        assert names["ko"] == names["en"], key


def _used_message_ids() -> set[str]:
    used: set[str] = set()
    for path in [*TEMPLATES_DIR.rglob("*.html"), *REPORTS_DIR.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b_\(\s*["']([\w.]+)["']""", text))
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", text))
    for spec in REPORTS.values():
        used |= {spec.title, spec.subtitle, spec.classification, *(s.title for s in spec.sections)}
    return used


def test_every_message_id_in_templates_and_sections_is_in_the_catalog() -> None:
    used = _used_message_ids()
    assert len(used) > 50
    assert sorted(used - set(i18n.MESSAGES)) == []


def test_unknown_message_id_is_an_error_naming_it() -> None:
    with pytest.raises(KeyError, match="no.such.message"):
        Translator(Lang.ko)("no.such.message")


def test_register_refuses_a_message_without_both_languages() -> None:
    with pytest.raises(ValueError, match="en"):
        i18n.register({"test.only_korean": {"ko": "한국어만"}})
    assert "test.only_korean" not in i18n.MESSAGES


def test_register_refuses_redefining_a_message_differently_but_accepts_the_same_text() -> None:
    i18n.register({"section.incident": dict(i18n.MESSAGES["section.incident"])})
    with pytest.raises(ValueError, match="already defined"):
        i18n.register({"section.incident": {"ko": "다른 제목", "en": "Another title"}})


def test_parts_split_a_message_around_its_placeholders() -> None:
    assert Translator(Lang.ko).parts("footer.page", "page", "pages") == ["", " / ", "쪽"]
    assert Translator(Lang.en).parts("footer.page", "page", "pages") == ["Page ", " of ", ""]
