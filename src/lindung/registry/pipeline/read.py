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
import io
import mmap
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import polars as pl
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from lindung.registry.pipeline import FIELDS

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 300 * 1024 * 1024  # a CSV of max_rows workers is about 240 MB
    max_rows: int = 1_500_000
    max_uncompressed_bytes: int = 2 * 1024**3  # zip bombs (XLSX/ODS are zip files)
    max_compression_ratio: float = 200.0  # per zip member: uncompressed/compressed


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
_RATIO_FLOOR = 1024 * 1024  # zip members smaller than this are never bombs, whatever the ratio
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
    if head.startswith(_OTHER_MAGIC) or (b"\x00" in head and not utf16):
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
                member.file_size > _RATIO_FLOOR
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


# --- spreadsheets -----------------------------------------------------------------------------


def _read_workbook(
    path: Path, file_format: str, sheet: str | None, limits: Limits, progress: Progress | None
) -> Sheet:
    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as error:
        raise _workbook_error(error) from error
    with workbook:
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
            names = [
                meta.name
                for meta in workbook.sheets_metadata
                if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
            ] or workbook.sheet_names
        failures: list[ReadError] = []
        for name in names:
            try:
                calamine_sheet = workbook.get_sheet_by_name(name)
            except Exception as error:
                raise _workbook_error(error) from error
            try:
                read = _read_calamine_sheet(calamine_sheet, limits, progress)
            except ReadError as error:
                recoverable = (
                    ReadErrorCode.HEADER_NOT_FOUND,
                    ReadErrorCode.COLUMNS_MISSING,
                    ReadErrorCode.FILE_EMPTY,
                )
                if sheet is not None or error.code not in recoverable:
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
    # No sheet holds a worker list: report the most telling failure.
    for code in (ReadErrorCode.COLUMNS_MISSING, ReadErrorCode.HEADER_NOT_FOUND):
        for failure in failures:
            if failure.code == code:
                raise failure
    raise _empty()


def _workbook_error(error: Exception) -> ReadError:
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
    encoding, data = _decode(data)
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
    stripped = cell.str.strip_chars()
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
