"""One spreadsheet reader for every file that comes in: a list in XLSX, XLS, ODS or CSV, read
into text columns named by a declared table.

    read_table(path, table, *, sheet=None, limits=DEFAULT_LIMITS, progress=None) -> Sheet
        .frame     one pl.String column per field of `table` (null when the file has no such
                   column or the cell is empty), then `_row` (pl.Int64, the row number as the
                   user sees it) and `_<field>_numeric` (pl.Boolean) per identifier field
        .original  every column of the file as text under its own header, then `_row`
        .columns   field -> the header text it was read from; also .header_row,
                   .rows_skipped, .sheet_name, .file_format, .encoding, .delimiter
    Raises ReadError (.code a ReadErrorCode, .message for the operator, .found, .expected)
    when the file cannot be used as a whole.

    save_upload(upload, folder, *, limits=DEFAULT_LIMITS) -> (Path, sha256 hex)
        streams an upload to folder/incoming-<hex> (the caller moves or removes it); past
        limits.max_file_bytes it keeps nothing and raises ReadError FILE_TOO_LARGE
    sha256_of(path) -> str   a file's SHA-256 in hex

A `Table` declares the fields (field -> accepted header names, best first), which of them are
required, and which are identifiers that Excel may have stored as numbers (a NIK or KPJ typed
as a number has lost its last digits). `Wording` holds the messages that say what the rows
are ("worker rows"); its defaults speak of "the list" and "rows".

What the reader does for every table: the format comes from the file's content, not its name
(`detect`); size, row and zip-bomb limits are checked before anything is unpacked (`limits`),
and each sheet's farthest filled cell before calamine allocates the sheet (`extent`, `biff`);
password-protected and damaged files are refused with what to do. Spreadsheets are read with
python-calamine so each cell's own type is known (`workbook`, `cells`); CSV encodings,
delimiters and stray NUL bytes are handled (`csv`). The header is searched in the first 30
rows, below title rows, and may span two rows (`header`); blank rows, totals and signature
blocks below the list are not data (`rows`). The ReadErrorCode values are a public interface.

Example: a BPJS answer file with KPJ stored as numbers and title rows above the header.

    from lindung.sheets import Table, read_table

    ANSWER = Table(
        aliases={
            "kpj": ("KPJ", "No. KPJ", "Nomor KPJ", "No. Peserta"),
            "nik": ("NIK", "No. KTP"),
            "status": ("Status", "Status Kepesertaan"),
            "tmt": ("TMT", "Tanggal Kepesertaan"),
        },
        required=("kpj", "status"),
        identifiers=("kpj", "nik"),
    )
    sheet = read_table(path, ANSWER)
    sheet.frame.columns  # ["kpj", "nik", "status", "tmt", "_row", "_kpj_numeric", "_nik_numeric"]
"""

from __future__ import annotations

from pathlib import Path

from lindung.sheets.csv import read_csv
from lindung.sheets.detect import detect_format
from lindung.sheets.errors import ReadError, ReadErrorCode, empty, too_large
from lindung.sheets.limits import DEFAULT_LIMITS, Limits, Progress
from lindung.sheets.table import Sheet, Table, Wording
from lindung.sheets.uploads import save_upload, sha256_of
from lindung.sheets.workbook import read_workbook

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "Progress",
    "ReadError",
    "ReadErrorCode",
    "Sheet",
    "Table",
    "Wording",
    "read_table",
    "save_upload",
    "sha256_of",
]


def read_table(
    path: Path,
    table: Table,
    *,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> Sheet:
    """Read a list into the text columns of `table`. Raises ReadError when the file cannot be
    used."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise too_large(size, limits)
    if size == 0:
        raise empty(table)
    file_format = detect_format(path, limits, table)
    if file_format == "csv":
        return read_csv(path, table, limits=limits, progress=progress)
    return read_workbook(path, file_format, table, sheet=sheet, limits=limits, progress=progress)
