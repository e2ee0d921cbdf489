"""How far the cells of an old Excel file (.xls, BIFF5/BIFF8 in an OLE2 container) reach, read
from its records before calamine opens it: calamine builds every sheet of an .xls as one
rectangle when the file is opened (32 bytes a cell, from the first to the farthest cell), and
reserves room for the rectangle that each sheet's DIMENSIONS record declares. A cell at column
65535 of row 65536 asks for 128 GiB and aborts the process.

    workbook_stream(path) -> bytes          the "Workbook" (BIFF8) or "Book" (BIFF5) stream
    sheet_extents(stream) -> [SheetExtent]  per sheet, in the workbook's order

Records are walked the way calamine walks them: the workbook globals up to their EOF record
(BoundSheet8 gives each sheet's name and the offset of its substream), then each sheet from its
offset up to its first EOF record. Raises `Encrypted` for a FilePass record and `Damaged` for a
stream that calamine could not walk either.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import olefile

_BOF = 0x0809
_EOF = 0x000A
_FILEPASS = 0x002F
_CODEPAGE = 0x0042
_BOUNDSHEET = 0x0085
_DIMENSIONS = 0x0200
_MULRK = 0x00BD
# Records of one cell with a value, its row and column in their first 4 bytes: LabelSst, Label,
# Number, Rk, BoolErr, Formula, RString. Blank and MulBlank carry only formatting; calamine
# skips them.
_CELLS = frozenset({0x00FD, 0x0204, 0x0203, 0x027E, 0x0205, 0x0006, 0x00D6})
_BEFORE_BIFF8 = frozenset({0x0200, 0x0002, 0x0007, 0x0300, 0x0400, 0x0500})
_MAX_ROWS = 65_536  # of the format: a row number is 16 bits

_HEAD = struct.Struct("<HHHH")  # record type, length, then (for a cell) row and column
_U16 = struct.Struct("<H")
_BOUND = struct.Struct("<IBBB")  # substream offset, visibility, sheet type, name length
_DIMENSIONS_8 = struct.Struct("<IIHH")  # BIFF8: first row, last row + 1, first col, last col + 1
_DIMENSIONS_5 = struct.Struct("<HHHH")  # BIFF5: the same in 16 bits


class Encrypted(Exception):
    """The workbook is protected with a password (a FilePass record)."""


class Damaged(Exception):
    """The container or its records cannot be read."""


@dataclass(frozen=True)
class SheetExtent:
    name: str
    rows: int  # 1-based row of the lowest cell with a value; 0 when none has one
    columns: int  # 1-based column of the rightmost cell with a value
    reserved: int  # cells calamine reserves for the largest DIMENSIONS record of the sheet
    # The corner that record declares, 1-based (rows, columns); None when it declares nothing
    # or nothing a real file could hold (its end before its start, rows beyond 65536).
    declared: tuple[int, int] | None


def workbook_stream(path: Path) -> bytes:
    """The BIFF stream of an .xls file, read with olefile (which checks the container)."""
    size = path.stat().st_size
    try:
        with olefile.OleFileIO(str(path)) as container:
            name = next((n for n in ("Workbook", "Book") if container.exists(n)), None)
            if name is None:
                raise Damaged("no Workbook stream")
            # calamine reserves the stream's declared size before it reads it: a size the file
            # cannot hold is a damaged file.
            if container.get_size(name) > size:
                raise Damaged("stream size")
            with container.openstream(name) as stream:
                return stream.read()
    except Damaged:
        raise
    except Exception as error:  # olefile raises many kinds on a damaged container
        raise Damaged(str(error)) from error


def sheet_extents(stream: bytes) -> list[SheetExtent]:
    """The extent of every sheet that a BoundSheet8 record names, whatever its type."""
    data = memoryview(stream + bytes(8))  # padded: a record head and a cell position unpack
    end = len(stream)
    biff8, codepage = True, "cp1252"
    sheets: list[tuple[int, str]] = []
    for kind, start, length in _records(data, end):
        if kind == _EOF:
            break
        if kind == _FILEPASS:
            raise Encrypted
        if kind == _BOF and length >= 4:
            version, stream_type = (
                _U16.unpack_from(data, start)[0],
                _U16.unpack_from(data, start + 2)[0],
            )
            # calamine's reading of the version: BIFF5 and older store names as 8-bit text
            biff8 = version not in _BEFORE_BIFF8 and not (version == 0 and stream_type == 0x1000)
        elif kind == _CODEPAGE and length >= 2:
            codepage = _codepage(_U16.unpack_from(data, start)[0])
        elif kind == _BOUNDSHEET:
            if length < 7:
                raise Damaged("BoundSheet8")
            offset, _visible, _type, count = _BOUND.unpack_from(data, start)
            name = _sheet_name(data[start + 7 : start + length], count, biff8, codepage)
            sheets.append((offset, name))
    return [_sheet_extent(data, end, offset, name) for offset, name in sheets]


def _records(data: memoryview, end: int) -> Iterator[tuple[int, int, int]]:
    """(type, offset of its data, length of its data) per record of the globals."""
    at = 0
    while at < end:
        kind, length, _row, _column = _HEAD.unpack_from(data, at)
        if at + 4 + length > end:
            raise Damaged("record length")
        yield kind, at + 4, length
        at += 4 + length


def _sheet_extent(data: memoryview, end: int, offset: int, name: str) -> SheetExtent:
    """One sheet's substream: the hot loop of the scan, one unpack a record."""
    if offset > end:
        raise Damaged("sheet offset")
    head, cells, mulrk, u16 = _HEAD.unpack_from, _CELLS, _MULRK, _U16.unpack_from
    row_max = column_max = -1
    reserved, declared = 0, None
    at = offset
    while at < end:
        kind, length, row, column = head(data, at)
        start = at + 4
        at = start + length
        if at > end:
            raise Damaged("record length")
        if kind in cells and length >= 4:  # shorter: calamine refuses it
            if row > row_max:
                row_max = row
            if column > column_max:
                column_max = column
        elif kind == mulrk and length >= 6:
            last = u16(data, at - 2)[0]
            if row > row_max:
                row_max = row
            if last > column_max:
                column_max = last
        elif kind == _EOF:
            break
        elif kind == _DIMENSIONS:
            size, corner = _dimensions(data, start, length)
            if size > reserved:
                reserved, declared = size, corner
    return SheetExtent(name, row_max + 1, column_max + 1, reserved, declared)


def _dimensions(data: memoryview, start: int, length: int) -> tuple[int, tuple[int, int] | None]:
    """(cells calamine reserves, the declared corner) for a DIMENSIONS record. calamine takes
    `(last - first + 1)` in wrapping 32-bit arithmetic, so an end before the start is huge."""
    if length == 14:
        first_row, row_after, first_column, column_after = _DIMENSIONS_8.unpack_from(data, start)
    elif length == 10:
        first_row, row_after, first_column, column_after = _DIMENSIONS_5.unpack_from(data, start)
    else:
        return 0, None  # calamine refuses the file as damaged
    if row_after < 1 or column_after < 1:
        return 1, None
    rows = (row_after - first_row) & 0xFFFFFFFF
    columns = (column_after - first_column) & 0xFFFFFFFF
    sane = first_row < row_after <= _MAX_ROWS and first_column < column_after
    return rows * columns, (row_after, column_after) if sane else None


def _sheet_name(raw: memoryview, count: int, biff8: bool, codepage: str) -> str:
    """ShortXLUnicodeString (BIFF8: a flag byte, then Latin-1 or UTF-16) or BIFF5 bytes."""
    if biff8 and len(raw) >= 1:
        if raw[0] & 0x1:
            text = bytes(raw[1 : 1 + 2 * count]).decode("utf-16-le", errors="replace")
        else:
            text = bytes(raw[1 : 1 + count]).decode("latin-1")
    else:
        text = bytes(raw[:count]).decode(codepage, errors="replace")
    return text.replace("\0", "")


def _codepage(number: int) -> str:
    name = f"cp{number}"
    try:
        "".encode(name)
    except LookupError:
        return "cp1252"
    return name
