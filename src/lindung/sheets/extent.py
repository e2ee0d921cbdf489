"""How far a sheet's cells reach, found before calamine allocates them: calamine builds each
sheet as one rectangle from A1 to its farthest filled cell (32 bytes a cell), so one stray cell
far from the table would exhaust the memory. XLSX sheets are streamed from their XML (with a
fast path for the plain `<c r="A1"…>` cells that every writer produces), ODS tables from
content.xml with their repeated rows and cells counted, XLS sheets from their BIFF records."""

from __future__ import annotations

import html
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lindung.sheets import biff
from lindung.sheets.cells import letter
from lindung.sheets.errors import ReadError, ReadErrorCode, corrupt, encrypted
from lindung.sheets.limits import ROW_MARGIN, Limits
from lindung.sheets.table import Table

_MAX_TAG_BYTES = 1024 * 1024  # an unfinished XML tag longer than this: the file is damaged


@dataclass(frozen=True)
class Extent:
    sheet: str
    rows: int  # the 1-based row of the lowest filled cell
    columns: int  # the 1-based column of the rightmost filled cell

    @property
    def corner(self) -> str:
        return f"{letter(self.columns - 1)}{self.rows}"


def check_extent(extent: Extent, limits: Limits, table: Table) -> None:
    """Refuse a sheet whose filled cells reach further than the reader may allocate."""
    numbers = {
        "sheet": extent.sheet,
        "cell": extent.corner,
        "rows": number_format(extent.rows, force_grouping=True),
        "columns": number_format(extent.columns, force_grouping=True),
        "limit": number_format(limits.max_rows, force_grouping=True),
    }
    if extent.rows > limits.max_rows + ROW_MARGIN:
        raise ReadError(
            ReadErrorCode.TOO_MANY_ROWS,
            _(table.wording.sheet_too_long) % numbers,
        )
    if extent.rows * extent.columns > limits.max_cells:
        raise ReadError(
            ReadErrorCode.SHEET_TOO_LARGE,
            _(
                'The sheet "%(sheet)s" has a filled cell far from the table, at %(cell)s: the '
                "sheet then spans %(rows)s rows by %(columns)s columns, too large to read, so "
                "it was not read. In Excel press Ctrl+End to go to that cell, delete it (and "
                "the empty rows and columns between it and the table), or copy the table into "
                "a new sheet; save and upload the file again."
            )
            % numbers,
        )


def xlsx_sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its XML member in the zip, from workbook.xml and its relationships."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml")
            rels = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError):
        return {}
    targets: dict[str, str] = {}
    for tag in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        attributes = _attributes(tag.group())
        target = attributes.get("Target", "")
        if target:
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[attributes.get("Id", "")] = os.path.normpath(part)
    parts: dict[str, str] = {}
    for tag in re.finditer(rb"<(?:\w+:)?sheet\b[^>]*>", workbook):
        attributes = _attributes(tag.group())
        relation = next((v for k, v in attributes.items() if k.endswith(":id")), "")
        if "name" in attributes and relation in targets:
            parts[attributes["name"]] = targets[relation]
    return parts


def _attributes(tag: bytes) -> dict[str, str]:
    text = tag.decode("utf-8", errors="replace")
    return {
        name: html.unescape(value)
        for name, _quote, value in re.findall(r"([\w:.-]+)\s*=\s*([\"'])(.*?)\2", text)
    }


# A cell with a value: calamine skips the empty ones (`<c r="B2" s="1"/>`, only formatted).
_XLSX_VALUE_CELL = re.compile(
    rb"<(?:\w+:)?c\s[^>]*?\br\s*=\s*[\"']([A-Za-z]{1,3})(\d{1,7})[\"'][^>]*(?<!/)>"
)
_XLSX_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
# The same as _XLSX_VALUE_CELL for plain cells, one group each (findall builds no tuples).
_XLSX_PLAIN_ROW = re.compile(rb'<c r="[A-Za-z]{1,3}(\d{1,7})"[^>]*(?<!/)>')
_XLSX_PLAIN_COLUMN = re.compile(rb'<c r="([A-Za-z]{1,3})\d{1,7}"[^>]*(?<!/)>')
_XLSX_CELL_WITH_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br\s*=")


def xlsx_extent(path: Path, part: str | None, sheet: str) -> Extent:
    """The farthest filled cell of an XLSX sheet, streamed from its XML without building the
    grid. The sheet's declared `<dimension ref=…>` is not trusted either way: a file may lie,
    and Excel counts cells that only carry formatting, which calamine skips."""
    with zipfile.ZipFile(path) as archive:
        names = [part] if part in archive.NameToInfo else []
        if not names:  # an unusual layout: look at every worksheet, the far cell may be in any
            names = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        rows = columns = 0
        for name in names:
            with archive.open(name) as stream:
                found = _xlsx_cells(stream)
            if found is None:  # cells without their position: find it the slow, exact way
                with archive.open(name) as stream:
                    found = _xlsx_cells_exact(stream)
            rows, columns = max(rows, found[0]), max(columns, found[1])
    return Extent(sheet, rows, columns)


def _xlsx_cells(stream: IO[bytes]) -> tuple[int, int] | None:
    """(lowest row, rightmost column) of the filled cells, 1-based; None when some cell has
    no `r` attribute (its position follows from the cells before it)."""
    rows = columns = 0
    tail = b""
    for block in iter(lambda: stream.read(1 << 20), b""):
        data = tail + block
        cut = data.rfind(b"<")
        if cut != -1 and data.find(b">", cut) == -1:  # a tag continues in the next block
            data, tail = data[:cut], data[cut:]
            if len(tail) > _MAX_TAG_BYTES:
                raise corrupt()
        else:
            tail = b""
        if _plain_cells(data):  # what Excel, LibreOffice and every library write: fast
            digits, letters = _XLSX_PLAIN_ROW.findall(data), _XLSX_PLAIN_COLUMN.findall(data)
        else:
            if len(_XLSX_ANY_CELL.findall(data)) != len(_XLSX_CELL_WITH_REF.findall(data)):
                return None
            found = _XLSX_VALUE_CELL.findall(data)
            digits = [row for _letters, row in found]
            letters = [column for column, _row in found]
        if digits:
            rows = max(rows, max(map(int, set(digits))))
            columns = max(columns, max(_column(text) for text in set(letters)))
    return rows, columns


def _plain_cells(data: bytes) -> bool:
    """Every cell of `data` is written `<c r="A1"…`: no namespace prefix, `r` first. Counting
    bytes is C speed; the general expressions cost ~8 times as much on a 100.000-row sheet."""
    cells = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/")
    prefixed = b":c " in data or b":c>" in data or b":c/" in data  # or text that reads so
    return not prefixed and cells == data.count(b'<c r="')


def _column(letters: bytes) -> int:
    """b"A" -> 1, b"XFD" -> 16384."""
    number = 0
    for char in letters.upper():
        number = number * 26 + char - ord("A") + 1
    return number


def _xlsx_cells_exact(stream: IO[bytes]) -> tuple[int, int]:
    """_xlsx_cells for sheets whose cells omit `r`: positions counted as calamine does."""
    state = {"row": 0, "column": 0, "rows": 0, "columns": 0}

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if local == "row":
            ref = attributes.get("r", "")
            state["row"] = int(ref) if ref.isdigit() else state["row"] + 1
            state["column"] = 0
        elif local == "c":
            match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", attributes.get("r", ""))
            if match:
                state["column"] = _column(match.group(1).encode())
                state["row"] = int(match.group(2))
            else:
                state["column"] += 1
        elif local in ("v", "is"):  # the current cell has a value
            state["rows"] = max(state["rows"], state["row"])
            state["columns"] = max(state["columns"], state["column"])

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        parser.ParseFile(stream)
    except expat.ExpatError as error:
        raise corrupt() from error
    return state["rows"], state["columns"]


@dataclass
class _OdsPosition:
    name: str = ""
    row: int = 0  # rows of the table before the current one
    repeat: int = 1  # times the current row is repeated
    column: int = 0  # columns of the current row before the current cell
    rows: int = 0  # the farthest filled row and column so far
    columns: int = 0
    cell_first: int = 0  # the current cell: its first column, repeats, filled, open
    cell_repeat: int = 1
    cell_filled: bool = False
    in_cell: bool = False


def ods_extents(path: Path) -> list[Extent]:
    """The farthest filled cell of each table of an ODS file, repeated rows and cells counted
    (`table:number-rows-repeated="1048576"` is one tag), streamed from content.xml."""
    extents: list[Extent] = []
    at = _OdsPosition()
    table, row = f"{_ODS_TABLE} table", f"{_ODS_TABLE} table-row"
    cells = (f"{_ODS_TABLE} table-cell", f"{_ODS_TABLE} covered-table-cell")

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal at
        if tag == table:
            at = _OdsPosition(name=attributes.get(f"{_ODS_TABLE} name", ""))
        elif tag == row:
            at.repeat = _count(attributes.get(f"{_ODS_TABLE} number-rows-repeated"))
            at.column = 0
        elif tag in cells:
            at.cell_repeat = _count(attributes.get(f"{_ODS_TABLE} number-columns-repeated"))
            at.cell_first = at.column + 1
            at.cell_filled = f"{_ODS_OFFICE} value-type" in attributes
            at.in_cell = True
            at.column += at.cell_repeat
        elif at.in_cell:
            at.cell_filled = True  # text inside the cell

    def end(tag: str) -> None:
        if tag in cells:
            if at.cell_filled:
                at.rows = max(at.rows, at.row + at.repeat)
                at.columns = max(at.columns, at.cell_first + at.cell_repeat - 1)
            at.in_cell = False
        elif tag == row:
            at.row += at.repeat
        elif tag == table:
            extents.append(Extent(at.name, at.rows, at.columns))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
            parser.ParseFile(stream)
    except (KeyError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise corrupt() from error
    return extents


def xls_extents(path: Path, limits: Limits) -> list[Extent]:
    """The farthest cell with a value of each sheet of an XLS file, from its BIFF records. A
    sheet's DIMENSIONS record counts only when the rectangle it declares is too large: calamine
    reserves that rectangle even when no cell is there."""
    try:
        sheets = biff.sheet_extents(biff.workbook_stream(path))
    except biff.Encrypted as error:
        raise encrypted() from error
    except biff.Damaged as error:
        raise corrupt() from error
    extents = []
    for sheet in sheets:
        rows, columns = sheet.rows, sheet.columns
        if sheet.reserved > limits.max_cells:
            if sheet.declared is None:  # an end before its start: no real file says that
                raise corrupt()
            rows, columns = max(rows, sheet.declared[0]), max(columns, sheet.declared[1])
        extents.append(Extent(sheet.name, rows, columns))
    return extents


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _count(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 1
