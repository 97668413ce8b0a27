"""The reports' message catalog (Korean first, English) and Korean-style number, money and date formatting.

A plain dictionary: every label a template shows is a message id looked up here (`{{ _("cover.as_of") }}`), so one
template serves both languages. A domain that adds a report section registers its own labels with `register`.
Money is integer won: Korean uses 만/억/조 units ("1조 원", "2,430억 원"), English "KRW 1.0 trillion". Instants are
shown in Asia/Seoul.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from tracker.types import to_seoul


class Lang(StrEnum):
    """Report languages; Korean is the default."""

    ko = "ko"
    en = "en"


# message id → {"ko": ..., "en": ...}. Placeholders use str.format names: "{n}명".
MESSAGES: dict[str, dict[str, str]] = {
    # Report titles and markings
    "report.board.title": {"ko": "이사회 보고 자료", "en": "Board pack"},
    "report.board.subtitle": {
        "ko": "정보보안 혁신 계획 이행 현황 (분기 보고)",
        "en": "Security remediation programme: quarterly progress",
    },
    "report.regulator.title": {"ko": "정보보호 조치 이행 보고서", "en": "Regulator report"},
    "report.regulator.subtitle": {
        "ko": "과학기술정보통신부 조치 명령 및 재발 방지 대책 이행 현황",
        "en": "Implementation of the Ministry of Science and ICT's orders and the prevention plan",
    },
    "report.management.title": {"ko": "경영진 월간 보고서", "en": "Management monthly report"},
    "report.management.subtitle": {
        "ko": "정보보안 혁신 과제별 이행 현황",
        "en": "Security remediation progress by workstream",
    },
    "report.organization": {"ko": "KT 정보보안 혁신TF", "en": "KT Information Security Innovation Task Force"},
    # Classification markings are bilingual in both languages, as on the operator's other controlled documents.
    "classification.confidential": {"ko": "대외비 / CONFIDENTIAL", "en": "대외비 / CONFIDENTIAL"},
    "classification.regulatory": {
        "ko": "규제기관 제출용 / FOR REGULATORY SUBMISSION",
        "en": "규제기관 제출용 / FOR REGULATORY SUBMISSION",
    },
    "classification.internal": {"ko": "사내 한정 / INTERNAL", "en": "사내 한정 / INTERNAL"},
    "marking.demo": {"ko": "DEMO DATA · 시연용 가상 데이터", "en": "DEMO DATA · not real figures"},
    "marking.demo.cover": {
        "ko": "이 보고서는 시연용 데이터베이스(sectrack seed)로 작성되었습니다. 수치는 실제 현황이 아닙니다.",
        "en": "This report was built from a demo database (sectrack seed). Its figures are not real.",
    },
    "marking.historical": {
        "ko": "과거 시점 재구성: 감사 체인에 기록된 상태로 {as_of} 시점의 데이터를 복원했습니다.",
        "en": "Point-in-time reconstruction: the data as it stood at {as_of}, rebuilt from the audit chain.",
    },
    # Cover, running header and footer
    "cover.as_of": {"ko": "기준 시각", "en": "As of"},
    "cover.generated_at": {"ko": "작성 시각", "en": "Generated"},
    "cover.chain_head": {"ko": "감사 체인 기준점", "en": "Audit-chain head"},
    "cover.prepared_by": {"ko": "작성 도구", "en": "Prepared with"},
    "cover.language": {"ko": "언어", "en": "Language"},
    "cover.language.value": {"ko": "한국어", "en": "English"},
    "footer.as_of": {"ko": "기준", "en": "As of"},
    "footer.chain": {"ko": "체인", "en": "chain"},
    "footer.page": {"ko": "{page} / {pages}쪽", "en": "Page {page} of {pages}"},
    "toc.title": {"ko": "목차", "en": "Contents"},
    # Colophon
    "colophon.title": {"ko": "보고서 정보", "en": "About this report"},
    "colophon.intro": {
        "ko": "이 보고서의 모든 수치는 아래 감사 체인 기준점까지 기록된 데이터에서 산출되었습니다.",
        "en": "Every figure in this report was computed from the data recorded up to the audit-chain head below.",
    },
    "colophon.kind": {"ko": "보고서 종류", "en": "Report"},
    "colophon.sections": {"ko": "수록 항목", "en": "Sections included"},
    "colophon.omitted": {"ko": "데이터가 없어 제외한 항목", "en": "Sections left out (no data recorded)"},
    "colophon.omitted.none": {"ko": "없음", "en": "none"},
    "colophon.format": {"ko": "파일 형식", "en": "File format"},
    "colophon.attachments": {"ko": "첨부 파일", "en": "Attached files"},
    "colophon.fonts": {"ko": "글꼴", "en": "Fonts"},
    "colophon.verify_hint": {
        "ko": "감사 체인과 내보내기 파일의 검증 방법은 규제기관 보고서 부록에 있습니다.",
        "en": "How to verify the audit chain and the audit export is set out in the regulator report's appendix.",
    },
    # Section titles
    "section.incident": {"ko": "침해사고 개요", "en": "The incident"},
    "section.regulator_orders": {"ko": "과기정통부 조치 명령", "en": "The regulator's orders"},
    "section.customer_measures": {"ko": "고객 보호 조치 (공표 내용)", "en": "Customer measures as announced"},
    "section.provenance": {"ko": "감사 체인과 데이터 출처", "en": "Audit chain and provenance"},
    "section.audit_trail": {"ko": "변경 기록 현황", "en": "Record of changes"},
    "section.verify_appendix": {
        "ko": "부록: 감사 내보내기 파일 검증 방법",
        "en": "Appendix: how to verify the audit export",
    },
    # Incident section
    "incident.summary": {
        "ko": "민관합동조사단은 2025년 12월 29일 조사 결과를 발표하며, 펨토셀(가정·사업장용 초소형 기지국) 관리 "
        "부실로 불법 펨토셀이 KT 내부망에 접속한 것을 원인으로 지목했습니다.",
        "en": "The joint public-private investigation reported on 29 December 2025 that poor management of "
        "femtocells (small base stations for homes and businesses) let illegal femtocells reach KT's internal "
        "network.",
    },
    "incident.figures": {"ko": "주요 수치", "en": "Key figures"},
    "incident.figure": {"ko": "항목", "en": "Figure"},
    "incident.value": {"ko": "값", "en": "Value"},
    "incident.source": {"ko": "출처", "en": "Source"},
    "incident.causes": {"ko": "원인", "en": "Causes"},
    "incident.plan": {"ko": "KT 재발 방지 투자 계획", "en": "KT's remediation plan"},
    "incident.plan.summary": {
        "ko": "{start}~{end}년 {years}년간 {amount} 투자 (발표 {announced})",
        "en": "{amount} over {years} years, {start}-{end} (announced {announced})",
    },
    "incident.workstreams": {"ko": "추진 과제", "en": "Workstreams"},
    "incident.sources": {"ko": "출처 목록", "en": "Sources"},
    "incident.site_only": {"ko": "기사 주소 미확인, 사이트 주소", "en": "site address; article URL not recorded"},
    "unit.people": {"ko": "{n}명", "en": "{n} people"},
    "unit.devices": {"ko": "{n}대", "en": "{n} devices"},
    "unit.servers": {"ko": "{n}대", "en": "{n} servers"},
    "unit.kinds": {"ko": "{n}종", "en": "{n} kinds"},
    "unit.records": {"ko": "{n} 건", "en": "{n} records"},
    "unit.ids": {"ko": "{n}개", "en": "{n} IDs"},
    "unit.won": {"ko": "{n}", "en": "{n}"},
    "unit.approximate": {"ko": "약 {value}", "en": "about {value}"},
    # Regulator orders
    "orders.intro": {
        "ko": "과학기술정보통신부가 KT에 내린 조치 명령입니다. 각 명령은 sectrack의 자동 점검 항목(통제)으로 "
        "관리됩니다.",
        "en": "The orders the Ministry of Science and ICT gave KT. Each is tracked as an automated control.",
    },
    "orders.no": {"ko": "번호", "en": "No."},
    "orders.order": {"ko": "명령 내용", "en": "Order"},
    "orders.dated": {"ko": "명령·시행일", "en": "Dated"},
    "orders.deadline": {"ko": "기한", "en": "Deadline"},
    "orders.not_dated": {"ko": "—", "en": "—"},
    "orders.check": {"ko": "{month} 이행 점검", "en": "checked {month}"},
    # Customer measures
    "measures.intro": {
        "ko": "KT가 2025년 12월 30일 발표한 고객 보호 조치입니다. 이행 현황은 공약 관리 대장에서 추적합니다.",
        "en": "The customer measures KT announced on 30 December 2025; delivery is tracked in the commitments "
        "register.",
    },
    "measures.measure": {"ko": "조치", "en": "Measure"},
    "measures.when": {"ko": "기간·일자", "en": "Dates"},
    "measures.detail": {"ko": "내용", "en": "Details"},
    # Provenance
    "provenance.intro": {
        "ko": "모든 변경은 해시로 연결된 감사 체인에 기록됩니다. 이 보고서는 아래 기준점까지의 기록으로 "
        "작성되었으며, 기준점 해시로 동일한 데이터임을 확인할 수 있습니다.",
        "en": "Every change is written to a hash-chained audit log. This report was built from the records up to "
        "the head below; its hash identifies exactly that data.",
    },
    "provenance.head_seq": {"ko": "기준점 일련번호", "en": "Head sequence number"},
    "provenance.head_hash": {"ko": "기준점 해시 (SHA-256)", "en": "Head hash (SHA-256)"},
    "provenance.events": {"ko": "기록된 변경 건수", "en": "Changes recorded"},
    "provenance.first_event": {"ko": "최초 기록", "en": "First record"},
    "provenance.last_event": {"ko": "최종 기록", "en": "Latest record"},
    "provenance.no_events": {"ko": "기록 없음", "en": "none"},
    "provenance.reconstructed": {
        "ko": "과거 시점 재구성 여부",
        "en": "Point-in-time reconstruction",
    },
    "provenance.reconstructed.yes": {
        "ko": "예 — 감사 체인에서 복원한 상태",
        "en": "yes — state rebuilt from the audit chain",
    },
    "provenance.reconstructed.no": {"ko": "아니요 — 현재 데이터", "en": "no — current data"},
    # Audit trail
    "audit.intro": {
        "ko": "감사 체인에 기록된 변경을 기록 종류별로 집계했습니다.",
        "en": "Changes in the audit chain, counted by record type.",
    },
    "audit.verification": {"ko": "체인 무결성 검증 (작성 시점)", "en": "Chain verification (at rendering)"},
    "audit.verification.ok": {
        "ko": "통과: {checked}건의 연결과 해시를 모두 재계산해 확인했습니다.",
        "en": "Passed: all {checked} links and hashes were recomputed and match.",
    },
    "audit.verification.failed": {
        "ko": "실패: 일련번호 {seq}에서 불일치 ({problem}). 이 보고서의 수치를 신뢰하지 마십시오.",
        "en": "FAILED at sequence {seq} ({problem}). Do not rely on the figures in this report.",
    },
    "audit.by_type": {"ko": "기록 종류별 변경 건수", "en": "Changes by record type"},
    "audit.entity_type": {"ko": "기록 종류", "en": "Record type"},
    "audit.action": {"ko": "변경", "en": "Action"},
    "audit.count": {"ko": "건수", "en": "Count"},
    "audit.total": {"ko": "합계", "en": "Total"},
    "audit.latest": {"ko": "최근 변경 ({n}건)", "en": "Latest changes ({n})"},
    "audit.seq": {"ko": "일련번호", "en": "Seq"},
    "audit.when": {"ko": "시각 (KST)", "en": "When (KST)"},
    "audit.actor": {"ko": "수행자", "en": "Actor"},
    "audit.entity": {"ko": "대상", "en": "Record"},
    "audit.chart.alt": {
        "ko": "기록 종류별 생성·수정·삭제 건수를 누적 막대로 나타낸 그래프",
        "en": "Stacked bars of creates, updates and deletes per record type",
    },
    "audit.more_types": {"ko": "그 밖의 {n}개 종류", "en": "{n} other types"},
    # Verification appendix
    "verify.intro": {
        "ko": "감사 내보내기 파일(ZIP)은 sectrack 없이도 검증할 수 있습니다. 아래 절차는 내보내기 파일이 변조되지 "
        "않았는지, 그리고 이 보고서가 그 데이터에서 작성되었는지를 확인합니다.",
        "en": "The audit export (a ZIP) can be verified with or without sectrack. The steps below check that the "
        "export is intact and that this report was built from the same data.",
    },
    "verify.step.sectrack": {"ko": "1. sectrack으로 검증", "en": "1. With sectrack"},
    "verify.step.sectrack.text": {
        "ko": "종료 코드 0이면 모든 파일과 서명, 감사 체인이 온전합니다. 그렇지 않으면 무엇이 잘못되었는지 출력합니다.",
        "en": "Exit status 0 means every file, the signature and the audit chain are intact; otherwise it names "
        "what is wrong.",
    },
    "verify.step.signature": {"ko": "2. 서명 확인 (OpenSSL 3)", "en": "2. The signature (OpenSSL 3)"},
    "verify.step.signature.text": {
        "ko": "서명은 {manifest} 파일의 바이트 그대로에 대한 Ed25519 서명({signature})입니다. 공개키는 KT가 "
        "별도 경로로 전달한 키와 비교하십시오.",
        "en": "The signature ({signature}) is Ed25519 over the exact bytes of {manifest}. Compare the public key "
        "with the one KT gave you through a separate channel.",
    },
    "verify.step.files": {"ko": "3. 파일 해시 확인", "en": "3. The files"},
    "verify.step.files.text": {
        "ko": "{manifest}에는 각 파일의 SHA-256 값이 들어 있습니다. sha256sum으로 계산한 값과 비교하십시오.",
        "en": "{manifest} lists the SHA-256 of every file; compare them with sha256sum.",
    },
    "verify.step.chain": {"ko": "4. 감사 체인 재계산", "en": "4. The audit chain"},
    "verify.step.chain.text": {
        "ko": "각 이벤트의 해시는 sha256(prev_hash + body)입니다. body는 seq, occurred_at, actor, role, "
        "request_id, action, entity_type, entity_id, state, prev_hash의 정규화 JSON(키 정렬, 공백 없음, UTF-8; "
        "RFC 8785)이며, 첫 이벤트의 prev_hash는 '0'을 64번 이어 쓴 값입니다. 아래 스크립트는 파이썬 표준 라이브러리만 "
        "사용합니다.",
        "en": "Each event's hash is sha256(prev_hash + body), where body is the canonical JSON (sorted keys, no "
        "whitespace, UTF-8; RFC 8785) of seq, occurred_at, actor, role, request_id, action, entity_type, "
        "entity_id, state and prev_hash; the first event's prev_hash is 64 zeros. The script below uses only "
        "Python's standard library.",
    },
    "verify.step.report": {"ko": "5. 이 보고서와 대조", "en": "5. Match this report"},
    "verify.step.report.text": {
        "ko": "스크립트가 마지막에 출력하는 일련번호와 해시가 이 보고서의 감사 체인 기준점과 같으면, 이 "
        "보고서는 내보내기 파일과 같은 데이터로 작성된 것입니다. (기준점보다 뒤의 이벤트가 있으면 해당 "
        "일련번호의 해시를 비교하십시오.)",
        "en": "If the sequence number and hash the script prints last equal this report's audit-chain head, the "
        "report and the export were built from the same data. (If the export runs past the head, compare the "
        "hash at the head's sequence number.)",
    },
    "verify.this_report": {"ko": "이 보고서의 기준점", "en": "This report's head"},
    "verify.attachment": {
        "ko": "이 PDF에는 작성 근거(기준 시각, 기준점, 건수)를 담은 {name} 파일이 첨부되어 있습니다.",
        "en": "This PDF carries {name}, a file stating its basis (as-of time, chain head, counts).",
    },
    # Actions as shown in tables
    "action.create": {"ko": "생성", "en": "create"},
    "action.update": {"ko": "수정", "en": "update"},
    "action.delete": {"ko": "삭제", "en": "delete"},
    "action.other": {"ko": "기타", "en": "other"},
}

_KO_UNITS = ((10**12, "조"), (10**8, "억"), (10**4, "만"))


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add a domain's labels; each needs both languages, and an id may not be redefined differently."""
    for key, texts in messages.items():
        missing = [lang.value for lang in Lang if not texts.get(lang.value)]
        if missing:
            raise ValueError(f"Message '{key}' has no text for: {', '.join(missing)}.")
        existing = MESSAGES.get(key)
        if existing is not None and existing != dict(texts):
            raise ValueError(f"Message '{key}' is already defined with different text.")
        MESSAGES[key] = dict(texts)


def message(key: str, lang: Lang, **params: Any) -> str:
    """The text of a message id in a language, with its placeholders filled."""
    try:
        text = MESSAGES[key][lang.value]
    except KeyError:
        raise KeyError(f"Message id '{key}' is not in the report catalog (reports/i18n.py).") from None
    return text.format(**params) if params else text


def number(value: int | float, *, digits: int = 0) -> str:
    """A number with thousands separators (the same in both languages)."""
    return f"{value:,.{digits}f}"


def _ko_units(amount: int, *, precise: bool) -> str:
    """'1조 2,345억 원': every non-zero 조/억/만 group, or (newspaper style) the largest and the next one down."""
    groups: list[tuple[int, int, str]] = []  # (rank, count, unit); rank 0 is 조
    rest = amount
    for rank, (size, unit) in enumerate((*_KO_UNITS, (1, ""))):
        count, rest = divmod(rest, size)
        if count:
            groups.append((rank, count, unit))
    if not precise and groups:
        top = groups[0][0]
        groups = [g for g in groups if g[0] <= top + 1]
    text = " ".join(f"{count:,}{unit}" for _, count, unit in groups)
    # "2,430억 원" but "1만 2,345원": the won sign sticks to a bare number.
    return f"{text}원" if groups and not groups[-1][2] else f"{text} 원"


def won(amount: int, lang: Lang, *, precise: bool = False) -> str:
    """Money in won: '1조 원', '2,430억 원', '2억 4,319만 원'; English 'KRW 1.0 trillion', 'KRW 243.2 million'."""
    sign = "-" if amount < 0 else ""
    value = abs(int(amount))
    if lang is Lang.ko:
        return f"{sign}{_ko_units(value, precise=precise)}" if value else "0원"
    if not precise:
        for size, unit in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
            if value >= size:
                return f"{sign}KRW {value / size:,.1f} {unit}"
    return f"{sign}KRW {value:,}"


_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EN_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def big_count(value: int, lang: Lang) -> str:
    """A large count: '4조 300억', '4.03 trillion'; below a hundred million, plain digits with separators."""
    if value < 10**8:
        return f"{value:,}"
    if lang is Lang.ko:
        return _ko_units(value, precise=False).removesuffix(" 원").removesuffix("원")
    for size, unit in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if value >= size:
            return f"{value / size:,.2f} {unit}"
    return f"{value:,}"  # pragma: no cover - values >= 10**8 always meet a unit


def month(value: str, lang: Lang) -> str:
    """A month given as 'YYYY-MM': '2026년 6월' or 'June 2026'."""
    year, number_ = (int(p) for p in value.split("-"))
    if lang is Lang.ko:
        return f"{year}년 {number_}월"
    return f"{_EN_MONTH_NAMES[number_ - 1]} {year}"


def day(value: date, lang: Lang) -> str:
    """A calendar date: '2025년 12월 29일' or '29 Dec 2025'."""
    if lang is Lang.ko:
        return f"{value.year}년 {value.month}월 {value.day}일"
    return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"


def instant(value: datetime, lang: Lang) -> str:
    """An instant in Asia/Seoul: '2026년 1월 15일 14:03 KST' or '15 Jan 2026 14:03 KST'."""
    local = to_seoul(value)
    return f"{day(local.date(), lang)} {local:%H:%M} KST"


def short_instant(value: datetime) -> str:
    """An instant in Asia/Seoul for tables and footers: '2026-01-15 14:03 KST'."""
    return f"{to_seoul(value):%Y-%m-%d %H:%M} KST"


class Translator:
    """The catalog and formatters bound to one language; templates call it as `_`."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def __call__(self, key: str, **params: Any) -> str:
        """The text of `key` in this language."""
        return message(key, self.lang, **params)

    def parts(self, key: str, *names: str) -> list[str]:
        """The text of `key` split around its placeholders `names` (for CSS content built around counters)."""
        marker = "\x00"
        return message(key, self.lang, **dict.fromkeys(names, marker)).split(marker)

    def won(self, amount: int, *, precise: bool = False) -> str:
        """Money in this language's style."""
        return won(amount, self.lang, precise=precise)

    def day(self, value: date) -> str:
        """A calendar date in this language's style."""
        return day(value, self.lang)

    def instant(self, value: datetime) -> str:
        """An instant in Asia/Seoul in this language's style."""
        return instant(value, self.lang)

    def month(self, value: str) -> str:
        """A 'YYYY-MM' month in this language's style."""
        return month(value, self.lang)

    def big_count(self, value: int) -> str:
        """A large count in this language's style."""
        return big_count(value, self.lang)
