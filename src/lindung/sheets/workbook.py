"""Spreadsheets (XLSX, XLS, ODS) through python-calamine, so that each cell's own type is known
(a NIK typed as a number has lost its last digits). Each sheet's extent is checked before
calamine allocates it; without a named sheet the first visible sheet with a header is read,
and a list found only on a hidden sheet is named to the operator."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from lindung.sheets.cells import text, text_column
from lindung.sheets.errors import ReadError, ReadErrorCode, corrupt, empty, encrypted, too_many
from lindung.sheets.extent import (
    check_extent,
    ods_extents,
    xls_extents,
    xlsx_extent,
    xlsx_sheet_parts,
)
from lindung.sheets.header import find_header
from lindung.sheets.limits import CHUNK_ROWS, HEADER_SEARCH_ROWS, Limits, Progress
from lindung.sheets.rows import finish, id_like, key_column, numeric_flag
from lindung.sheets.table import Sheet, Table


def read_workbook(
    path: Path,
    file_format: str,
    table: Table,
    *,
    sheet: str | None,
    limits: Limits,
    progress: Progress | None,
) -> Sheet:
    if file_format == "ods":  # calamine unpacks every table of an ODS file when it opens it
        for extent in ods_extents(path):
            check_extent(extent, limits, table)
    elif file_format == "xls":  # and builds every sheet of an XLS file, too
        for extent in xls_extents(path, limits):
            check_extent(extent, limits, table)
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
        parts = xlsx_sheet_parts(path) if file_format == "xlsx" else {}
        failures: list[ReadError] = []
        for name in names:
            try:
                read = _read_named_sheet(workbook, path, parts, name, table, limits, progress)
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
            _refuse_hidden_list(workbook, path, parts, visible, table, limits)
    # No sheet holds a list: report the most telling failure.
    for code in (ReadErrorCode.COLUMNS_MISSING, ReadErrorCode.HEADER_NOT_FOUND):
        for failure in failures:
            if failure.code == code:
                raise failure
    raise empty(table)


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
    table: Table,
    limits: Limits,
    progress: Progress | None,
) -> _Read:
    """One sheet, after checking how far its cells reach (before calamine allocates them)."""
    if parts:
        check_extent(xlsx_extent(path, parts.get(name), name), limits, table)
    try:
        calamine_sheet = workbook.get_sheet_by_name(name)
    except BaseException as error:
        if not (isinstance(error, Exception) or _panicked(error)):
            raise
        raise _workbook_error(error) from error
    try:
        return _read_calamine_sheet(calamine_sheet, table, limits, progress)
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
    table: Table,
    limits: Limits,
) -> None:
    """No visible sheet holds a list: if a hidden one does, say so rather than "empty"
    (an operator sees only the visible sheets and would not guess)."""
    for name in workbook.sheet_names:
        if name in visible:
            continue
        try:
            _read_named_sheet(workbook, path, parts, name, table, limits, None)
        except ReadError:
            continue
        raise ReadError(
            ReadErrorCode.SHEET_HIDDEN,
            _(table.wording.sheet_hidden)
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
        return encrypted()
    return corrupt()


_Read = tuple[pl.DataFrame, pl.DataFrame, dict[str, str], int, int]


def _read_calamine_sheet(
    calamine_sheet: CalamineSheet, table: Table, limits: Limits, progress: Progress | None
) -> _Read:
    start = calamine_sheet.start
    end = calamine_sheet.end
    if start is None or end is None:  # an empty sheet (and iter_rows() would fail on it)
        raise empty(table)
    rows = calamine_sheet.iter_rows()
    # iter_rows() yields the empty rows above the used range too (python-calamine 0.9): number
    # rows by their position in the iteration and check that assumption at the end.
    index = 0  # of the next row
    buffered: list[Sequence[object]] = []  # the rows searched for the header, from `first`
    for row in rows:
        if buffered or any(value != "" for value in row):
            buffered.append(row)
        index += 1
        if len(buffered) == HEADER_SEARCH_ROWS:
            break
    if not buffered:
        raise empty(table)
    first = index - len(buffered)
    header = find_header([[text(value) for value in row] for row in buffered], table)
    key = key_column(header, table)
    flags = {name: header.fields.get(name) for name in table.identifiers}
    total = end[0] + 1
    chunks: list[pl.DataFrame] = []
    pending = buffered[header.index + header.span :]
    with_id = 0
    for row in rows:
        pending.append(row)
        index += 1
        if len(pending) == CHUNK_ROWS:
            chunks.append(_chunk(pending, index - len(pending), len(header.labels), flags))
            pending = []
            with_id += _count_rows(chunks[-1], key)
            if with_id > limits.max_rows:
                raise too_many(with_id, limits, table)
            if progress is not None:
                progress(index, total)
    if pending or not chunks:
        chunks.append(_chunk(pending, index - len(pending), len(header.labels), flags))
    # Rows above the used range were yielded as empty rows: `index` counts them too.
    offset = 0 if index == end[0] + 1 else start[0]
    raw = pl.concat(chunks, how="vertical")
    if offset:
        raw = raw.with_columns(pl.col("_row") + offset)
    header_row = first + header.index + 1 + offset
    frame, original, skipped = finish(raw, header, table, first_column=start[1], limits=limits)
    if progress is not None:
        progress(total, total)
    return frame, original, header.columns(table), header_row, skipped


def _chunk(
    rows: list[Sequence[object]], first: int, width: int, flags: dict[str, int | None]
) -> pl.DataFrame:
    """Rows of native cell values, the first at 0-based index `first` -> text columns c0…,
    `_row`, and per identifier whether its cell was a number (`_nik_numeric`)."""
    columns: list[Sequence[object]] = list(zip(*rows, strict=True)) or [()] * width
    data = {f"c{j}": text_column(column).alias(f"c{j}") for j, column in enumerate(columns)}
    data["_row"] = pl.int_range(first + 1, first + 1 + len(rows), eager=True, dtype=pl.Int64)
    for name, column in flags.items():
        numeric = (
            [type(value) is float or type(value) is int for value in columns[column]]
            if column is not None
            else [False] * len(rows)
        )
        data[numeric_flag(name)] = pl.Series(numeric_flag(name), numeric, dtype=pl.Boolean)
    return pl.DataFrame(data)


def _count_rows(chunk: pl.DataFrame, key: int | None) -> int:
    """Rows of a chunk that count against max_rows: those with an identifier, or all of them
    when the table has no identifier column."""
    if key is None:
        return chunk.height
    count: int = chunk.select(id_like(pl.col(f"c{key}")).sum()).item()
    return count
