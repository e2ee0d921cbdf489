"""CSV files: the encoding (UTF-8, with or without a byte order mark, UTF-16, or Windows'
cp1252), the delimiter (`;`, `,` or tab, or Excel's "sep=;" line), quoted fields, ragged rows
and stray NUL bytes."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from lindung.sheets.cells import text
from lindung.sheets.errors import corrupt, empty, too_many
from lindung.sheets.header import find_header
from lindung.sheets.limits import HEADER_SEARCH_ROWS, ROW_MARGIN, Limits, Progress
from lindung.sheets.rows import finish, numeric_flag
from lindung.sheets.table import Sheet, Table

_SAMPLE_BYTES = 256 * 1024  # bytes looked at for the delimiter and the column count


def read_csv(path: Path, table: Table, *, limits: Limits, progress: Progress | None) -> Sheet:
    data = path.read_bytes()
    if data.count(b"\n") > limits.max_rows + ROW_MARGIN:  # refused before it is parsed
        raise too_many(data.count(b"\n"), limits, table)
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
        raise corrupt() from error
    del data
    if raw.height == 0:
        raise empty(table)
    raw = raw.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
    texts = [
        [text(value) for value in row] for row in raw.head(HEADER_SEARCH_ROWS).drop("_row").rows()
    ]
    header = find_header(texts, table)
    raw = raw.slice(header.index + header.span).with_columns(
        pl.lit(False).alias(numeric_flag(name)) for name in table.identifiers
    )
    frame, original, skipped = finish(raw, header, table, first_column=0, limits=limits)
    if progress is not None:
        progress(raw.height, raw.height)
    return Sheet(
        frame=frame,
        original=original,
        columns=header.columns(table),
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
