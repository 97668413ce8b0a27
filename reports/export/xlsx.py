"""`registers.xlsx`: the main registers for people who work in Excel (openpyxl write-only mode).

A "Summary" sheet comes first: every entity type with its record count and, where records carry a `status`, the
count per status. Then one sheet per register. The big inventory tables (`SUMMARY_ONLY`) and any type with more
than `ROW_LIMIT` records get only their summary lines: a million device rows help no Excel reader and cost tens of
seconds. The CSV and JSONL files hold every record.

The workbook is byte-identical for the same content: its document properties and every ZIP entry carry the
export's as-of instant, not the time of writing. Strings are always text cells, so a value such as "=1+1" is
never run as a formula.
"""

from __future__ import annotations

import shutil
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from tracker import canonical

# Inventory tables that get counts only, whatever their size.
SUMMARY_ONLY = frozenset({"femtocell", "equipment", "access_event"})
ROW_LIMIT = 10_000
# Excel refuses longer cell texts.
_MAX_CELL = 32_767
_BOLD = Font(bold=True)


class _FixedTimeZip(zipfile.ZipFile):
    """A ZIP writer that stamps every entry with one fixed time and fixed permissions."""

    def __init__(self, path: Path, date_time: tuple[int, int, int, int, int, int]) -> None:
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._fixed_time = date_time

    def _member(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._fixed_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        """Write `data` as an entry with the fixed metadata (openpyxl passes names or ZipInfos)."""
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        super().writestr(self._member(name), data)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        """Copy a file (openpyxl's streamed worksheets) into an entry with the fixed metadata."""
        with open(filename, "rb") as source, self.open(self._member(str(arcname or filename)), "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    text = value if isinstance(value, str) else canonical.dumps(value)
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(text) > _MAX_CELL:
        text = text[: _MAX_CELL - 40] + " …(truncated; see the JSONL file)"
    return text


def _row(sheet: WriteOnlyWorksheet, values: Sequence[Any], *, bold: bool = False) -> list[WriteOnlyCell]:
    row = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=_cell_value(value))
        if isinstance(cell.value, str):
            # openpyxl treats strings starting with "=" as formulas; ours are always data.
            cell.data_type = "s"
        if bold:
            cell.font = _BOLD
        row.append(cell)
    return row


def _sheet_title(entity_type: str, taken: set[str]) -> str:
    # Excel sheet names: at most 31 characters, unique regardless of case.
    base = entity_type[:31]
    title, n = base, 2
    while title.lower() in taken:
        suffix = f"~{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


class RegisterWorkbook:
    """Collects sheets while the export streams, then writes the workbook once."""

    def __init__(self) -> None:
        self._workbook = Workbook(write_only=True)
        self._taken: set[str] = {"summary"}
        self._summary = self._sheet("Summary")
        self._summary.append(_row(self._summary, ["entity type", "status", "records"], bold=True))

    def _sheet(self, title: str) -> WriteOnlyWorksheet:
        sheet: WriteOnlyWorksheet = self._workbook.create_sheet(title=title)
        return sheet

    @staticmethod
    def wants_rows(entity_type: str, records: int) -> bool:
        """True when the type gets a sheet of its own rows."""
        return entity_type not in SUMMARY_ONLY and records <= ROW_LIMIT

    def add_summary(self, entity_type: str, records: int, statuses: Counter[str]) -> None:
        """The summary lines of one type: its total, then one line per status (sorted)."""
        self._summary.append(_row(self._summary, [entity_type, "(all)", records]))
        for status in sorted(statuses):
            self._summary.append(_row(self._summary, [entity_type, status, statuses[status]]))

    def add_register(self, entity_type: str, header: Sequence[str], states: Sequence[Mapping[str, Any]]) -> None:
        """One sheet: the header, then each record's values."""
        sheet = self._sheet(_sheet_title(entity_type, self._taken))
        sheet.append(_row(sheet, list(header), bold=True))
        for state in states:
            sheet.append(_row(sheet, [state.get(column) for column in header]))

    def discard(self) -> None:
        """Close the sheets and delete their temporary files without writing a workbook (the export failed)."""
        for sheet in self._workbook.worksheets:
            if not sheet.closed:
                sheet.close()
            writer = getattr(sheet, "_writer", None)
            if writer is not None and Path(writer.out).exists():
                writer.cleanup()

    def save(self, path: Path, *, as_of: datetime, date_time: tuple[int, int, int, int, int, int]) -> None:
        """Write the workbook with every timestamp fixed to the as-of instant."""
        stamp = as_of.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        properties = self._workbook.properties
        properties.creator = "sectrack"
        properties.lastModifiedBy = "sectrack"
        properties.created = stamp
        properties.modified = stamp
        # `Workbook.save` would stamp the wall clock into the properties and ZIP entries; write it ourselves.
        ExcelWriter(self._workbook, _FixedTimeZip(path, date_time)).save()
