"""Every XLSX the project hands to people (lampiran SK, exports, the import report, dashboard
tables) is written through this module, so that nothing that comes from data becomes a formula.

    with Workbook(path) as book:
        sheet = book.sheet(_("Workers"))
        sheet.header(0, [Column("NIK", width=19), Column(_("Birth date"), Kind.DATE),
                         Column(_("Monthly income"), Kind.MONEY)])
        sheet.row(1, [nik, born, income])

Text is always a string cell (never xlsxwriter's `write()`, which turns "=…" into a formula,
"http…" into a link and "0812…" into a number) and a text that a spreadsheet would read as a
formula when someone edits or re-saves it (leading `=`, `+`, `-`, `@`, tab or carriage return,
OWASP's CSV-injection list) gets one leading apostrophe, which stays visible: the cell shows
exactly what was stored, marked. Numbers and dates are typed by their column: a number in a
numeric column is a number cell (a negative amount too), a date in a date column a date cell,
anything else there is neutralised text. Sheet names are not data (they come from our own
strings). Rows stream to disk (constant_memory), so they must be written top to bottom.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

# What a spreadsheet takes for the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
MAX_TEXT = 32_767  # characters Excel keeps in one cell
OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,  # callers pass local (Asia/Makassar) times
}

Value = str | int | float | datetime.date | None


def neutralise(text: str) -> str:
    """`text` as a spreadsheet must show it: an apostrophe before a formula-like start."""
    if text.startswith(FORMULA_STARTS):
        text = NEUTRALISER + text
    return text[:MAX_TEXT]


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"  # integer rupiah, shown 1,234,567
    DATE = "date"  # shown dd-mm-yyyy
    DATETIME = "datetime"  # shown yyyy-mm-dd hh:mm:ss


_NUMBER_FORMATS = {
    Kind.MONEY: "#,##0",
    Kind.DATE: "dd-mm-yyyy",
    Kind.DATETIME: "yyyy-mm-dd hh:mm:ss",
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    width: float | None = None


class Workbook:
    """An XLSX file at `target` (a path or a binary file); closed on leaving the `with`."""

    def __init__(self, target: Path | IO[bytes]) -> None:
        self._book = xlsxwriter.Workbook(
            str(target) if isinstance(target, Path) else target, OPTIONS
        )
        self._sheets: list[Sheet] = []
        self.bold = self.style({"bold": True})
        self.formats = {kind: self.style({"num_format": f}) for kind, f in _NUMBER_FORMATS.items()}

    def properties(self, *, title: str, author: str) -> None:
        """The document's title and author (File, Info): never a user's login name."""
        self._book.set_properties({"title": title, "author": author, "company": author})

    def style(self, properties: dict[str, Any]) -> Format:
        """A cell format (xlsxwriter properties: bold, bg_color, text_wrap, …)."""
        return self._book.add_format(properties)

    def sheet(self, name: str) -> "Sheet":
        sheet = Sheet(self, self._book.add_worksheet(name[:31]))
        self._sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self._sheets:
            sheet.finish()
        self._book.close()

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Sheet:
    def __init__(self, book: Workbook, worksheet: Worksheet) -> None:
        self._book = book
        self._sheet = worksheet
        self.columns: list[Column] = []
        self._filter: tuple[int, int] | None = None  # (header row, columns)
        self._last_row = 0

    def text(self, row: int, col: int, value: str, style: Format | None = None) -> None:
        """One text cell (a title, a note), neutralised."""
        self._sheet.write_string(row, col, neutralise(value), style)
        self._last_row = max(self._last_row, row)

    def header(
        self,
        row: int,
        columns: Sequence[Column],
        *,
        style: Format | None = None,
        freeze: bool = True,
    ) -> None:
        """The header of a table at `row` (bold unless `style`); the rows below are typed by
        `columns` until the next header. `freeze` keeps the header in view while scrolling and
        gives it filter arrows: for the sheet's main table (a sheet has one filter)."""
        self.columns = list(columns)
        for col, column in enumerate(self.columns):
            self.text(row, col, column.header, self._book.bold if style is None else style)
            if column.width is not None:
                self._sheet.set_column(col, col, column.width)
        if freeze:
            self._sheet.freeze_panes(row + 1, 0)
            self._filter = (row, len(self.columns))

    def row(self, row: int, values: Sequence[Value], style: Format | None = None) -> None:
        """Cells typed by the header's columns (text beyond them); None is an empty cell.
        `style` formats the text cells; numbers and dates get their kind's format."""
        for col, value in enumerate(values):
            kind = self.columns[col].kind if col < len(self.columns) else Kind.TEXT
            if value is None:
                continue
            if kind in (Kind.INTEGER, Kind.MONEY) and isinstance(value, int | float):
                self._sheet.write_number(row, col, value, self._book.formats.get(kind))
            elif kind in (Kind.DATE, Kind.DATETIME) and isinstance(value, datetime.date):
                self._sheet.write_datetime(row, col, value, self._book.formats[kind])
            else:
                self._sheet.write_string(row, col, neutralise(str(value)), style)
        self._last_row = max(self._last_row, row)

    def finish(self) -> None:
        if self._filter is not None:
            top, width = self._filter
            self._sheet.autofilter(top, 0, max(top, self._last_row), width - 1)
