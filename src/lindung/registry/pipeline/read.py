"""Step `read` of the import: a worker list (XLSX, XLS, ODS or CSV) in, text columns out.

    read_table(path, sheet=None) -> Sheet
        .frame     one pl.String column per name in FIELDS, then `_row` and `_nik_numeric`
        .original  every column of the file as text under its own header, then `_row`

The format comes from the file's content, not its name. Spreadsheets are read with
python-calamine so that each cell's own type is known (a NIK typed as a number has lost its
last digits). The header row is searched in the first rows of each sheet by the column names
an operator would write (`_ALIASES`); title rows above it, blank rows and footer rows below it
(JUMLAH, TOTAL, "Mengetahui", signature blocks) are not data.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import html
import io
import mmap
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO
from xml.parsers import expat

import polars as pl
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from lindung.registry.pipeline import FIELDS, biff

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 300 * 1024 * 1024  # a CSV of max_rows workers is about 240 MB
    max_rows: int = 1_500_000
    max_uncompressed_bytes: int = 2 * 1024**3  # zip bombs (XLSX/ODS are zip files)
    max_compression_ratio: float = 200.0  # per zip member: uncompressed/compressed
    # Members that unpack to less than this are never bombs, whatever their ratio: a real
    # file with one long cell of repeated text compresses 1000x and is harmless to read.
    min_bomb_bytes: int = 32 * 1024 * 1024
    # Rows x columns of a sheet, counted from A1 to its farthest filled cell: calamine builds
    # that whole rectangle in memory (32 bytes a cell), so one stray cell at XFD1048576 would
    # ask for 512 GiB. 40 million is 1.500.000 rows x 26 columns (A-Z), about 1,3 GB.
    max_cells: int = 40_000_000


DEFAULT_LIMITS = Limits()


@dataclass
class Sheet:
    frame: pl.DataFrame  # FIELDS as pl.String (null when absent/empty), `_row`, `_nik_numeric`
    original: pl.DataFrame  # every column as text under its (deduplicated) header, `_row`
    columns: dict[str, str]  # canonical field -> header text it was read from
    header_row: int  # 1-based; the upper row of a two-row header
    rows_skipped: int  # blank, footer and signature rows below the header
    sheet_name: str | None
    file_format: str  # "xlsx" | "xls" | "ods" | "csv"
    encoding: str | None = None  # CSV only: "utf-8" / "utf-8-sig" / "utf-16" / "cp1252"
    delimiter: str | None = None  # CSV only


class ReadErrorCode(StrEnum):
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    ZIP_BOMB = "ZIP_BOMB"
    FILE_ENCRYPTED = "FILE_ENCRYPTED"
    FILE_CORRUPT = "FILE_CORRUPT"
    FORMAT_UNKNOWN = "FORMAT_UNKNOWN"
    SHEET_NOT_FOUND = "SHEET_NOT_FOUND"
    SHEET_HIDDEN = "SHEET_HIDDEN"
    SHEET_TOO_LARGE = "SHEET_TOO_LARGE"
    HEADER_NOT_FOUND = "HEADER_NOT_FOUND"
    COLUMNS_MISSING = "COLUMNS_MISSING"
    FILE_EMPTY = "FILE_EMPTY"


class ReadError(Exception):
    """The file cannot be imported as a whole; `message` tells the operator what to do."""

    def __init__(
        self,
        code: ReadErrorCode,
        message: str,
        *,
        found: Sequence[str] = (),
        expected: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.code: str = code
        self.message = message
        self.found = list(found)
        self.expected = list(expected)


# Header texts per canonical field, " | " between them, best first: when two columns map to
# one field the column with the earlier alias wins ("Alamat" over "Dusun"). Compared case-,
# space- and punctuation-insensitively, and again without a bracketed note ("Penghasilan (Rp)").
_ALIASES: dict[str, str] = {
    "nik": "NIK | NIK KTP | No. NIK | Nomor NIK | No. KTP | Nomor KTP | Nomor Induk Kependudukan"
    " | No. Induk Kependudukan",
    "no_kk": "No. KK | Nomor KK | NKK | Nomor Kartu Keluarga | No. Kartu Keluarga | KK",
    "name": "Nama | Nama Lengkap | Nama Sesuai KTP | Nama Lengkap Sesuai KTP | Nama Pekerja"
    " | Nama Peserta | Nama Tenaga Kerja | Nama Anggota",
    "sex": "Jenis Kelamin | JK | L/P | Kelamin | Jns Kelamin | Jenkel | Sex | Gender",
    "birth_place": "Tempat Lahir | Tmp Lahir | Tmpt Lahir | Tpt Lahir",
    "birth_date": "Tanggal Lahir | Tgl Lahir | Tgl Lhr | TTL Tanggal",
    "birth_place_date": "Tempat, Tgl Lahir | Tempat/Tanggal Lahir | Tempat Tanggal Lahir"
    " | Tmp/Tgl Lahir | TTL",
    "phone": "No. HP | Nomor HP | HP | No. HP/WA | Nomor HP/WA | HP/WA | No. WA | No. Telp"
    " | No. Telepon | Nomor Telepon | Telepon | Telp | No. Handphone",
    "address": "Alamat | Alamat Lengkap | Alamat Rumah | Alamat/Dusun | Dusun",
    "kabupaten": "Kabupaten | Kabupaten/Kota | Kab/Kota | Kab",
    "kecamatan": "Kecamatan | Kec | Nama Kecamatan | Nama Kec | Kode Kecamatan",
    "desa": "Desa | Desa/Kelurahan | Desa/Kel | Kel/Desa | Kelurahan/Desa | Kelurahan | Nama Desa"
    " | Nama Desa/Kelurahan | Kode Desa",
    "occupation": "Pekerjaan | Jenis Pekerjaan | Pekerjaan Utama | Profesi | Mata Pencaharian",
    "income": "Penghasilan | Penghasilan per Bulan | Penghasilan/Bulan | Pendapatan"
    " | Pendapatan per Bulan | Pendapatan/Bulan",
    "desil": "Desil | Desil Kesejahteraan | Peringkat Desil",
    "disability": "Disabilitas | Penyandang Disabilitas | Status Disabilitas | Difabel",
    "female_head": "Perempuan Kepala Keluarga | PEKKA | KK Perempuan | Kepala Keluarga Perempuan",
}
REQUIRED = ("nik", "name")
# How the required columns are named to the operator in error messages.
_REQUIRED_LABELS = {"nik": "NIK", "name": "Nama"}
_HEADER_SEARCH_ROWS = 30
_CHUNK_ROWS = 50_000  # rows converted at a time; progress is reported after each chunk
# Rows a sheet or CSV may span beyond max_rows before it is refused unread: titles, headers,
# blank rows and the signature block below the list.
_ROW_MARGIN = 1_000
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_MAX_TAG_BYTES = 1024 * 1024  # an unfinished XML tag longer than this: the file is damaged
_SAMPLE_BYTES = 256 * 1024  # CSV: bytes looked at for the delimiter and the column count

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_ENCRYPTION_STREAMS = (
    "EncryptionInfo".encode("utf-16-le"),
    "EncryptedPackage".encode("utf-16-le"),
)
_OTHER_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

_PARENS = re.compile(r"\(.*?\)")
_NOT_ALNUM = re.compile(r"[\W_]+")
# A NIK that Excel wrote to CSV as a number: "5,20301E+15", "5.20301E+15".
_SCIENTIFIC = r"^\d+([.,]\d+)?[eE]\+?\d+$"
# A cell that is a total's label: JUMLAH, TOTAL, Jumlah Total, SUBTOTAL, …
_TOTAL = (
    r"(?i)^(jumlah|total|jumlah total|total keseluruhan|jumlah keseluruhan|sub ?total|"
    r"grand total)\s*:?$"
)
# The first filled cell of a footer row: a total, or the start of a signature block
# ("Mengetahui", "Kepala Desa …", "a.n. Camat", "NIP. …", "Selong, 12 Mei 2024").
_FOOTER_START = (
    r"(?i)^(jumlah\b|total\b|sub ?total\b|grand total\b|mengetahui|menyetujui|diketahui|"
    r"disetujui|dibuat oleh|disusun oleh|kepala desa|kepala kelurahan|kades\b|lurah\b|camat\b|"
    r"sekretaris desa|sekdes\b|tanda tangan|ttd\b|nip\b|a\.\s?n\.? |"
    r"[a-z][a-z .'-]*,\s*(\d{1,2}[ -]+)?[a-z]+[ -]+\d{4}$)"
)
# Unrecognised columns that only number the rows: a row with nothing else in it is blank.
_NUMBERING = {"", "no", "nomor", "nourut", "nomorurut", "urut"}


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.casefold())


_ALIAS_INDEX: dict[str, tuple[str, int]] = {
    _key(alias): (name, rank)
    for name, aliases in _ALIASES.items()
    for rank, alias in enumerate(aliases.split(" | "))
}


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> Sheet:
    """Read a worker list into text columns. Raises ReadError when the file cannot be used."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ReadError(
            ReadErrorCode.FILE_TOO_LARGE,
            _(
                "The file is %(size)s, more than the limit of %(limit)s. Split the list into "
                "several files and upload them one by one."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limits.max_file_bytes)},
        )
    if size == 0:
        raise _empty()
    file_format = _detect_format(path, limits)
    if file_format == "csv":
        return _read_csv(path, limits, progress)
    return _read_workbook(path, file_format, sheet, limits, progress)


# --- format -----------------------------------------------------------------------------------


def _detect_format(path: Path, limits: Limits) -> str:
    with path.open("rb") as stream:
        head = stream.read(8192)
    if head.startswith(b"PK"):
        return _zip_format(path, limits)
    if head.startswith(_OLE2_MAGIC):
        if _is_encrypted_ooxml(path):
            raise _encrypted()
        return "xls"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        raise ReadError(
            ReadErrorCode.FORMAT_UNKNOWN,
            _(
                "The file is a web page or XML file saved under a spreadsheet name, not a real "
                "spreadsheet. Open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) "
                "and upload the new file."
            ),
        )
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    # A text file may hold a stray NUL byte (dropped when read); a binary file holds many
    # control bytes.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    binary = not utf16 and controls > 8 + len(head) // 100
    if head.startswith(_OTHER_MAGIC) or binary:
        raise ReadError(
            ReadErrorCode.FORMAT_UNKNOWN,
            _(
                "The file is not a spreadsheet or a CSV file. Save the worker list as .xlsx "
                "(Excel), .ods (LibreOffice) or .csv and upload it again."
            ),
        )
    return "csv"


def _zip_format(path: Path, limits: Limits) -> str:
    """xlsx or ods, after checking the declared sizes of every member (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(member.file_size for member in members)
            bomb = total > limits.max_uncompressed_bytes or any(
                member.file_size > limits.min_bomb_bytes
                and member.file_size > limits.max_compression_ratio * max(member.compress_size, 1)
                for member in members
            )
            if bomb:
                raise ReadError(
                    ReadErrorCode.ZIP_BOMB,
                    _(
                        "The file is packed in an unusual way (it would unpack to %(size)s) and "
                        "was not opened, for safety. Open it in Excel or LibreOffice, save it "
                        "again as .xlsx and upload the new file."
                    )
                    % {"size": filesizeformat(total)},
                )
            if any(member.flag_bits & 0x1 for member in members):
                raise _encrypted()
            names = {member.filename for member in members}
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names:
                if archive.read("mimetype").strip() == _ODS_MIMETYPE:
                    return "ods"
            elif "content.xml" in names:
                return "ods"
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise _corrupt() from error
    raise ReadError(
        ReadErrorCode.FORMAT_UNKNOWN,
        _(
            "The file is a zip archive but not an Excel (.xlsx) or LibreOffice (.ods) "
            "spreadsheet. Upload the worker list itself as .xlsx, .ods or .csv."
        ),
    )


def _is_encrypted_ooxml(path: Path) -> bool:
    """A password-protected .xlsx is an OLE2 container holding an "EncryptionInfo" stream."""
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return any(data.find(name) != -1 for name in _OOXML_ENCRYPTION_STREAMS)


def _encrypted() -> ReadError:
    return ReadError(
        ReadErrorCode.FILE_ENCRYPTED,
        _(
            "The file is protected with a password. Open it in Excel, remove the password "
            "(File > Info > Protect Workbook > Encrypt with Password, clear the password), save "
            "it again and upload the new file."
        ),
    )


def _corrupt() -> ReadError:
    return ReadError(
        ReadErrorCode.FILE_CORRUPT,
        _(
            "The file is damaged and cannot be read. Open it in Excel or LibreOffice; if it "
            "opens, save it again as .xlsx and upload the new file. Otherwise ask the sender for "
            "a new copy."
        ),
    )


def _empty() -> ReadError:
    return ReadError(
        ReadErrorCode.FILE_EMPTY,
        _(
            "The file contains no worker rows. Fill in one worker per row below the header row "
            "(NIK, Nama, …) and upload the file again."
        ),
    )


# --- extent: how far a sheet's cells reach, found before calamine allocates them ------------


@dataclass(frozen=True)
class _Extent:
    sheet: str
    rows: int  # the 1-based row of the lowest filled cell
    columns: int  # the 1-based column of the rightmost filled cell

    @property
    def corner(self) -> str:
        return f"{_letter(self.columns - 1)}{self.rows}"


def _check_extent(extent: _Extent, limits: Limits) -> None:
    """Refuse a sheet whose filled cells reach further than the reader may allocate."""
    numbers = {
        "sheet": extent.sheet,
        "cell": extent.corner,
        "rows": number_format(extent.rows, force_grouping=True),
        "columns": number_format(extent.columns, force_grouping=True),
        "limit": number_format(limits.max_rows, force_grouping=True),
    }
    if extent.rows > limits.max_rows + _ROW_MARGIN:
        raise ReadError(
            ReadErrorCode.TOO_MANY_ROWS,
            _(
                'The sheet "%(sheet)s" goes down to row %(rows)s (its last filled cell is '
                "%(cell)s), more than the limit of %(limit)s worker rows, so it was not read. "
                "If the list is that long, split it into files of at most %(limit)s rows, for "
                "example one per kecamatan. If the rows below the list are not workers, delete "
                "them (or copy the table into a new sheet) and upload the file again."
            )
            % numbers,
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


def _xlsx_sheet_parts(path: Path) -> dict[str, str]:
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


def _xlsx_extent(path: Path, part: str | None, sheet: str) -> _Extent:
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
    return _Extent(sheet, rows, columns)


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
                raise _corrupt()
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
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
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
        raise _corrupt() from error
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


def _ods_extents(path: Path) -> list[_Extent]:
    """The farthest filled cell of each table of an ODS file, repeated rows and cells counted
    (`table:number-rows-repeated="1048576"` is one tag), streamed from content.xml."""
    extents: list[_Extent] = []
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
            extents.append(_Extent(at.name, at.rows, at.columns))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
            parser.ParseFile(stream)
    except (KeyError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise _corrupt() from error
    return extents


def _xls_extents(path: Path, limits: Limits) -> list[_Extent]:
    """The farthest cell with a value of each sheet of an XLS file, from its BIFF records. A
    sheet's DIMENSIONS record counts only when the rectangle it declares is too large: calamine
    reserves that rectangle even when no cell is there."""
    try:
        sheets = biff.sheet_extents(biff.workbook_stream(path))
    except biff.Encrypted as error:
        raise _encrypted() from error
    except biff.Damaged as error:
        raise _corrupt() from error
    extents = []
    for sheet in sheets:
        rows, columns = sheet.rows, sheet.columns
        if sheet.reserved > limits.max_cells:
            if sheet.declared is None:  # an end before its start: no real file says that
                raise _corrupt()
            rows, columns = max(rows, sheet.declared[0]), max(columns, sheet.declared[1])
        extents.append(_Extent(sheet.name, rows, columns))
    return extents


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _count(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 1


# --- spreadsheets -----------------------------------------------------------------------------


def _read_workbook(
    path: Path, file_format: str, sheet: str | None, limits: Limits, progress: Progress | None
) -> Sheet:
    if file_format == "ods":  # calamine unpacks every table of an ODS file when it opens it
        for extent in _ods_extents(path):
            _check_extent(extent, limits)
    elif file_format == "xls":  # and builds every sheet of an XLS file, too
        for extent in _xls_extents(path, limits):
            _check_extent(extent, limits)
    try:
        with _named_for(path, file_format) as named:
            workbook = CalamineWorkbook.from_path(named)
    except BaseException as error:
        if not (isinstance(error, Exception) or _panicked(error)):
            raise
        raise _workbook_error(error) from error
    with workbook:
        visible = [
            meta.name
            for meta in workbook.sheets_metadata
            if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
        ]
        if sheet is not None:
            if sheet not in workbook.sheet_names:
                raise ReadError(
                    ReadErrorCode.SHEET_NOT_FOUND,
                    _('The file has no sheet named "%(sheet)s". Choose one of: %(sheets)s.')
                    % {"sheet": sheet, "sheets": ", ".join(workbook.sheet_names)},
                    found=workbook.sheet_names,
                    expected=[sheet],
                )
            names = [sheet]
        else:
            names = visible or workbook.sheet_names
        parts = _xlsx_sheet_parts(path) if file_format == "xlsx" else {}
        failures: list[ReadError] = []
        for name in names:
            try:
                read = _read_named_sheet(workbook, path, parts, name, limits, progress)
            except ReadError as error:
                if sheet is not None or error.code not in _RECOVERABLE:
                    raise
                failures.append(error)
                continue
            frame, original, columns, header_row, skipped = read
            return Sheet(
                frame=frame,
                original=original,
                columns=columns,
                header_row=header_row,
                rows_skipped=skipped,
                sheet_name=name,
                file_format=file_format,
            )
        if sheet is None and visible:
            _refuse_hidden_list(workbook, path, parts, visible, limits)
    # No sheet holds a worker list: report the most telling failure.
    for code in (ReadErrorCode.COLUMNS_MISSING, ReadErrorCode.HEADER_NOT_FOUND):
        for failure in failures:
            if failure.code == code:
                raise failure
    raise _empty()


_RECOVERABLE = (
    ReadErrorCode.HEADER_NOT_FOUND,
    ReadErrorCode.COLUMNS_MISSING,
    ReadErrorCode.FILE_EMPTY,
)


def _read_named_sheet(
    workbook: CalamineWorkbook,
    path: Path,
    parts: dict[str, str],
    name: str,
    limits: Limits,
    progress: Progress | None,
) -> _Read:
    """One sheet, after checking how far its cells reach (before calamine allocates them)."""
    if parts:
        _check_extent(_xlsx_extent(path, parts.get(name), name), limits)
    try:
        calamine_sheet = workbook.get_sheet_by_name(name)
    except BaseException as error:
        if not (isinstance(error, Exception) or _panicked(error)):
            raise
        raise _workbook_error(error) from error
    try:
        return _read_calamine_sheet(calamine_sheet, limits, progress)
    except BaseException as error:
        if not _panicked(error):
            raise
        raise _workbook_error(error) from error


def _panicked(error: BaseException) -> bool:
    """A Rust panic inside calamine (a damaged container it did not expect) reaches Python as
    pyo3's PanicException, which derives from BaseException, not Exception: the file is damaged,
    and the operator gets that message rather than a failed job."""
    return type(error).__name__ == "PanicException"


def _refuse_hidden_list(
    workbook: CalamineWorkbook,
    path: Path,
    parts: dict[str, str],
    visible: list[str],
    limits: Limits,
) -> None:
    """No visible sheet holds a worker list: if a hidden one does, say so rather than "empty"
    (an operator sees only the visible sheets and would not guess)."""
    for name in workbook.sheet_names:
        if name in visible:
            continue
        try:
            _read_named_sheet(workbook, path, parts, name, limits, None)
        except ReadError:
            continue
        raise ReadError(
            ReadErrorCode.SHEET_HIDDEN,
            _(
                'The worker list is on the hidden sheet "%(hidden)s"; the visible sheets '
                "(%(visible)s) hold no worker list. Unhide the sheet in Excel (right-click a "
                'sheet tab > Unhide) and upload the file again, or type "%(hidden)s" in the '
                "Sheet field (--sheet on the command line). Sheets in the file: %(sheets)s."
            )
            % {
                "hidden": name,
                "visible": ", ".join(visible),
                "sheets": ", ".join(workbook.sheet_names),
            },
            found=workbook.sheet_names,
            expected=[name],
        )


@contextmanager
def _named_for(path: Path, file_format: str) -> Iterator[Path]:
    """The path under a name ending in its real format: calamine picks its reader by the
    extension, so an .xlsx saved as "daftar.xls" would be read as a damaged .xls."""
    if path.suffix.lower() == f".{file_format}":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="lindung-read-") as folder:
        link = Path(folder) / f"workbook.{file_format}"
        os.symlink(path.resolve(), link)
        yield link


def _workbook_error(error: BaseException) -> ReadError:
    if "password" in type(error).__name__.lower() or "password" in str(error).lower():
        return _encrypted()
    return _corrupt()


_Read = tuple[pl.DataFrame, pl.DataFrame, dict[str, str], int, int]


def _read_calamine_sheet(
    calamine_sheet: CalamineSheet, limits: Limits, progress: Progress | None
) -> _Read:
    start = calamine_sheet.start
    end = calamine_sheet.end
    if start is None or end is None:  # an empty sheet (and iter_rows() would fail on it)
        raise _empty()
    rows = calamine_sheet.iter_rows()
    # iter_rows() yields the empty rows above the used range too (python-calamine 0.9): number
    # rows by their position in the iteration and check that assumption at the end.
    index = 0  # of the next row
    buffered: list[Sequence[object]] = []  # the rows searched for the header, from `first`
    for row in rows:
        if buffered or any(value != "" for value in row):
            buffered.append(row)
        index += 1
        if len(buffered) == _HEADER_SEARCH_ROWS:
            break
    if not buffered:
        raise _empty()
    first = index - len(buffered)
    header = _find_header([[_text(value) for value in row] for row in buffered])
    nik_col = header.fields["nik"]
    total = end[0] + 1
    chunks: list[pl.DataFrame] = []
    pending = buffered[header.index + header.span :]
    with_nik = 0
    for row in rows:
        pending.append(row)
        index += 1
        if len(pending) == _CHUNK_ROWS:
            chunks.append(_chunk(pending, index - len(pending), len(header.labels), nik_col))
            pending = []
            with_nik += chunks[-1].select(_nik_like(pl.col(f"c{nik_col}")).sum()).item()
            if with_nik > limits.max_rows:
                raise _too_many(with_nik, limits)
            if progress is not None:
                progress(index, total)
    if pending or not chunks:
        chunks.append(_chunk(pending, index - len(pending), len(header.labels), nik_col))
    # Rows above the used range were yielded as empty rows: `index` counts them too.
    offset = 0 if index == end[0] + 1 else start[0]
    raw = pl.concat(chunks, how="vertical")
    if offset:
        raw = raw.with_columns(pl.col("_row") + offset)
    header_row = first + header.index + 1 + offset
    frame, original, skipped = _finish(raw, header, first_column=start[1], limits=limits)
    if progress is not None:
        progress(total, total)
    return frame, original, header.columns(), header_row, skipped


def _chunk(rows: list[Sequence[object]], first: int, width: int, nik_col: int) -> pl.DataFrame:
    """Rows of native cell values, the first at 0-based index `first` -> text columns c0…,
    `_row` and `_nik_numeric`."""
    columns: list[Sequence[object]] = list(zip(*rows, strict=True)) or [()] * width
    data = {f"c{j}": _text_column(column).alias(f"c{j}") for j, column in enumerate(columns)}
    nik_numeric = [type(value) is float or type(value) is int for value in columns[nik_col]]
    data["_row"] = pl.int_range(first + 1, first + 1 + len(rows), eager=True, dtype=pl.Int64)
    data["_nik_numeric"] = pl.Series("_nik_numeric", nik_numeric, dtype=pl.Boolean)
    return pl.DataFrame(data)


def _text_column(values: Sequence[object]) -> pl.Series:
    """One column of native cell values as text (`_text`), converted a type at a time: the
    common types in Polars, the rare ones (bool, time, datetime with a time) in Python."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return pl.Series(values, dtype=pl.String)
    parts: list[pl.Series] = []
    for kind in kinds:
        picked = [value if type(value) is kind else None for value in values]
        if kind is str:
            parts.append(pl.Series(picked, dtype=pl.String))
        elif kind is float:
            parts.append(_float_text(picked))
        elif kind is int:
            parts.append(pl.Series(picked, dtype=pl.Int64).cast(pl.String))
        elif kind is datetime.date:
            parts.append(pl.Series(picked, dtype=pl.Date).dt.to_string("%Y-%m-%d"))
        else:
            texts = [None if value is None else _text(value) for value in picked]
            parts.append(pl.Series(texts, dtype=pl.String))
    return pl.select(pl.coalesce(parts)).to_series()


def _float_text(values: list[object]) -> pl.Series:
    """Whole numbers without ".0" and in full (5203011234560000), others as Python's repr."""
    numbers = pl.Series(values, dtype=pl.Float64)
    whole = (
        numbers.is_finite() & (numbers == numbers.floor()) & (numbers.abs() < 2.0**62)
    ).fill_null(False)
    text = pl.select(
        pl.when(whole).then(numbers.cast(pl.Int64, strict=False).cast(pl.String))
    ).to_series()
    rest = (~whole & numbers.is_not_null()).arg_true()
    if rest.len():
        text = text.scatter(rest, [_text(values[i]) for i in rest.to_list()])
    return text


def _text(value: object) -> str | None:
    """A cell as text: what the operator sees, except that numbers never lose digits."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # is_integer() is False for inf and nan; int() spells out floats >= 1e15 in full.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


# --- CSV --------------------------------------------------------------------------------------


def _read_csv(path: Path, limits: Limits, progress: Progress | None) -> Sheet:
    data = path.read_bytes()
    if data.count(b"\n") > limits.max_rows + _ROW_MARGIN:  # refused before it is parsed
        raise _too_many(data.count(b"\n"), limits)
    encoding, data = _decode(data)
    if b"\x00" in data:  # a stray NUL byte (a damaged export): not part of any value
        data = data.replace(b"\x00", b"")
    sample = data[:_SAMPLE_BYTES].decode("utf-8", errors="ignore")
    if len(data) > _SAMPLE_BYTES:
        sample = sample[: sample.rfind("\n") + 1]  # the last line is probably cut
    delimiter, sample = _sniff_delimiter(sample)
    width = max((len(record) for record in _records(sample, delimiter)), default=1)
    # A header line of our own: Polars takes the number of columns from the first line, which
    # is often a one-cell title. Ragged rows are padded with nulls or cut to this width.
    names = [f"c{j}" for j in range(width)]
    try:
        raw = pl.read_csv(
            io.BytesIO(delimiter.join(names).encode() + b"\n" + data),
            has_header=True,
            separator=delimiter,
            infer_schema=False,
            encoding="utf8",
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as error:
        raise _corrupt() from error
    del data
    if raw.height == 0:
        raise _empty()
    raw = raw.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
    texts = [
        [_text(value) for value in row] for row in raw.head(_HEADER_SEARCH_ROWS).drop("_row").rows()
    ]
    header = _find_header(texts)
    raw = raw.slice(header.index + header.span).with_columns(_nik_numeric=pl.lit(False))
    frame, original, skipped = _finish(raw, header, first_column=0, limits=limits)
    if progress is not None:
        progress(raw.height, raw.height)
    return Sheet(
        frame=frame,
        original=original,
        columns=header.columns(),
        header_row=header.index + 1,
        rows_skipped=skipped,
        sheet_name=None,
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
    )


def _decode(data: bytes) -> tuple[str, bytes]:
    """(encoding, the text as UTF-8 bytes without a byte order mark)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", data.decode("utf-16", errors="replace").encode("utf-8")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        view = memoryview(data)
        for start in range(0, len(data), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252", data.decode("cp1252", errors="replace").encode("utf-8")
    return "utf-8", data


def _sniff_delimiter(sample: str) -> tuple[str, str]:
    """The delimiter (`;`, `,` or tab) that splits the first lines most evenly, and the sample
    without Excel's "sep=;" line."""
    first, _newline, rest = sample.partition("\n")
    if first.strip().lower() in ("sep=;", "sep=,", "sep=\t"):
        return first.strip()[4], rest
    best, best_score = ";", 0
    for delimiter in (";", ",", "\t"):
        counts: dict[int, int] = {}
        for record in _records(sample, delimiter, limit=50):
            if len(record) > 1:
                counts[len(record)] = counts.get(len(record), 0) + 1
        if counts:
            width, frequency = max(counts.items(), key=lambda item: (item[1], item[0]))
            score = (width - 1) * frequency
            if score > best_score:
                best, best_score = delimiter, score
    return best, sample


def _records(sample: str, delimiter: str, *, limit: int = 1000) -> Iterator[list[str]]:
    """The first records of a CSV sample, quotes and newlines inside quotes respected."""
    reader = csv.reader(sample.splitlines(keepends=True), delimiter=delimiter)
    try:
        for number, record in enumerate(reader):
            if number == limit:
                return
            yield record
    except csv.Error:
        return


# --- header -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    index: int  # position of the (upper) header row among the rows searched
    span: int  # 1, or 2 for a group row above sub-headers ("Lahir" over "Tempat" | "Tanggal")
    labels: list[str]  # header text per column, "" when empty
    fields: dict[str, int] = field(default_factory=dict)  # canonical field -> column

    def columns(self) -> dict[str, str]:
        return {name: self.labels[self.fields[name]] for name in FIELDS if name in self.fields}


def _find_header(rows: list[list[str | None]]) -> _Header:
    """The row (or pair of rows) that names the most known columns."""
    best: _Header | None = None
    fallback: _Header | None = None  # the best row that is not a usable header, for the error
    for index, row in enumerate(rows):
        single = _header_from([[cell] if cell else [] for cell in row], row, index, span=1)
        candidates = [single]
        if index + 1 < len(rows):
            below = rows[index + 1]
            below_single = _header_from([[c] if c else [] for c in below], below, index + 1, 1)
            double = _two_row_header(row, below, index)
            if double is not None and len(double.fields) > max(
                len(single.fields), len(below_single.fields)
            ):
                candidates.append(double)
        for candidate in candidates:
            usable = len(candidate.fields) >= 2 and any(n in candidate.fields for n in REQUIRED)
            if usable and (best is None or _error_rank(candidate) > _error_rank(best)):
                best = candidate
            if fallback is None or _error_rank(candidate) > _error_rank(fallback):
                fallback = candidate
    if best is None:
        if fallback is not None and _error_rank(fallback) > (0, 1):
            raise _columns_missing(fallback)
        first = next((row for row in rows if any(row)), [])
        raise ReadError(
            ReadErrorCode.HEADER_NOT_FOUND,
            _(
                "No row with the column names was found in the first %(rows)s rows. Put the "
                "column names in one row above the data, at least NIK and Nama, for example: "
                "No, NIK, Nama, Jenis Kelamin, Tanggal Lahir, Alamat, Desa, Pekerjaan."
            )
            % {"rows": _HEADER_SEARCH_ROWS},
            found=[cell for cell in first if cell],
            expected=list(_REQUIRED_LABELS.values()),
        )
    if not all(name in best.fields for name in REQUIRED):
        raise _columns_missing(best)
    return best


def _error_rank(header: _Header) -> tuple[int, int]:
    return (sum(name in header.fields for name in REQUIRED), len(header.fields))


def _two_row_header(top: list[str | None], sub: list[str | None], index: int) -> _Header | None:
    """A group row above sub-headers: "Lahir" merged over "Tempat" | "Tanggal"."""
    if not any(sub) or any(cell and sum(ch.isdigit() for ch in cell) >= 10 for cell in sub):
        return None  # no sub-headers, or a data row with a NIK in it
    choices: list[list[str]] = []
    labels: list[str | None] = []
    group: str | None = None
    for upper, lower in zip(top, sub, strict=True):
        if upper:
            group = upper if lower else None
        elif not lower:
            group = None
        if lower and group:
            choices.append([f"{lower} {group}", f"{group} {lower}", lower, group])
            labels.append(f"{group} / {lower}")
        else:
            text = lower or upper
            choices.append([text] if text else [])
            labels.append(text)
    return _header_from(choices, labels, index, span=2)


def _header_from(
    choices: list[list[str]], labels: Sequence[str | None], index: int, span: int
) -> _Header:
    """Map columns to fields: per column the first matching text among its choices."""
    found: dict[str, tuple[int, int]] = {}  # field -> (alias rank, column)
    for column, texts in enumerate(choices):
        for text in texts:
            match = _match(text)
            if match is not None:
                name, rank = match
                if name not in found or rank < found[name][0]:
                    found[name] = (rank, column)
                break
    return _Header(
        index=index,
        span=span,
        labels=[" ".join(label.split()) if label else "" for label in labels],
        fields={name: column for name, (_rank, column) in found.items()},
    )


def _match(text: str) -> tuple[str, int] | None:
    hit = _ALIAS_INDEX.get(_key(text))
    if hit is None and "(" in text:
        hit = _ALIAS_INDEX.get(_key(_PARENS.sub("", text)))
    return hit


def _columns_missing(header: _Header) -> ReadError:
    missing = [_REQUIRED_LABELS[name] for name in REQUIRED if name not in header.fields]
    found = [label for label in header.labels if label]
    variants = {
        "NIK": "No. KTP, Nomor KTP, Nomor Induk Kependudukan",
        "Nama": "Nama Lengkap, Nama Sesuai KTP, Nama Pekerja",
    }
    return ReadError(
        ReadErrorCode.COLUMNS_MISSING,
        _(
            "The file has no column %(missing)s. Columns found: %(found)s. Add the column "
            "%(missing)s (also accepted: %(variants)s) and upload the file again."
        )
        % {
            "missing": " / ".join(missing),
            "found": ", ".join(found) or "-",
            "variants": "; ".join(variants[name] for name in missing),
        },
        found=found,
        expected=missing,
    )


# --- rows -------------------------------------------------------------------------------------


def _finish(
    raw: pl.DataFrame, header: _Header, *, first_column: int, limits: Limits
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Text cells -> (frame, original, rows skipped): blank, footer and signature rows out."""
    cells = [f"c{j}" for j in range(len(header.labels))]
    raw = raw.with_columns(_clean(pl.col(name)).alias(name) for name in cells)
    nik = pl.col(f"c{header.fields['nik']}")
    filled = [
        name
        for j, name in enumerate(cells)
        if j in header.fields.values() or _key(header.labels[j]) not in _NUMBERING
    ]
    has_value = pl.any_horizontal(pl.col(name).is_not_null() for name in filled)
    without_nik = raw.filter(~_nik_like(nik))
    footer = pl.any_horizontal(
        pl.col(name).str.contains(_TOTAL).fill_null(False) for name in cells
    ) | pl.coalesce(cells).str.contains(_FOOTER_START).fill_null(False)
    footers = without_nik.filter(footer).get_column("_row")
    last_nik = raw.filter(_nik_like(nik)).get_column("_row").max()
    skip = footers
    if last_nik is not None:
        # Below the last NIK a footer ends the list: what follows is a signature block.
        after = footers.filter(footers > last_nik)
        if after.len():
            trailing = without_nik.filter(pl.col("_row") > after.min()).get_column("_row")
            skip = pl.concat([footers, trailing]).unique()
    data = raw.filter(has_value & ~pl.col("_row").is_in(skip.implode()))
    if data.height > limits.max_rows:
        raise _too_many(data.height, limits)
    if data.height == 0:
        raise _empty()
    names = _unique_names(header.labels, first_column)
    keep = [
        name
        for name, label in zip(cells, header.labels, strict=True)
        if label or data.get_column(name).null_count() < data.height
    ]
    original = data.select(*(pl.col(name).alias(names[name]) for name in keep), "_row")
    frame = data.select(
        *(
            pl.col(f"c{header.fields[name]}").alias(name)
            if name in header.fields
            else pl.lit(None, dtype=pl.String).alias(name)
            for name in FIELDS
        ),
        "_row",
        (pl.col("_nik_numeric") | nik.str.contains(_SCIENTIFIC).fill_null(False)).alias(
            "_nik_numeric"
        ),
    )
    return frame, original, raw.height - data.height


def _clean(cell: pl.Expr) -> pl.Expr:
    stripped = cell.str.replace_all("\x00", "", literal=True).str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def _nik_like(nik: pl.Expr) -> pl.Expr:
    """The cell holds something meant as a NIK (10+ digits, or Excel's 5,20301E+15)."""
    return (
        (nik.str.count_matches(r"\d") >= 10) | nik.str.strip_chars().str.contains(_SCIENTIFIC)
    ).fill_null(False)


def _unique_names(labels: Iterable[str], first_column: int) -> dict[str, str]:
    """c0… -> header text; "Nama (2)" for a repeated header, "Kolom C" for an empty one."""
    names: dict[str, str] = {}
    seen: set[str] = set()
    for j, label in enumerate(labels):
        name = label or f"Kolom {_letter(first_column + j)}"
        candidate, n = name, 1
        while candidate in seen or candidate == "_row":
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate)
        names[f"c{j}"] = candidate
    return names


def _letter(column: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _too_many(rows: int, limits: Limits) -> ReadError:
    return ReadError(
        ReadErrorCode.TOO_MANY_ROWS,
        _(
            "The file has more than %(limit)s worker rows (%(rows)s found). Split the list into "
            "files of at most %(limit)s rows, for example one per kecamatan, and upload them one "
            "by one."
        )
        % {
            "limit": number_format(limits.max_rows, force_grouping=True),
            "rows": number_format(rows, force_grouping=True),
        },
    )
