"""From the text cells below the header to the two frames of a `Sheet`: blank rows, totals and
signature blocks out, the table's fields picked, every original column kept under its header."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from lindung.sheets.cells import letter
from lindung.sheets.errors import empty, too_many
from lindung.sheets.header import Header
from lindung.sheets.limits import Limits
from lindung.sheets.table import Table, header_key

# A long number (a NIK) that Excel wrote to CSV: "5,20301E+15", "5.20301E+15".
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


def key_column(header: Header, table: Table) -> int | None:
    """The column of the first identifier the header names: a cell there with 10 or more
    digits marks a data row."""
    return next((header.fields[n] for n in table.identifiers if n in header.fields), None)


def numeric_flag(name: str) -> str:
    """The Boolean column saying that an identifier's cell was a number in the file."""
    return f"_{name}_numeric"


def finish(
    raw: pl.DataFrame, header: Header, table: Table, *, first_column: int, limits: Limits
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Text cells -> (frame, original, rows skipped): blank, footer and signature rows out."""
    cells = [f"c{j}" for j in range(len(header.labels))]
    raw = raw.with_columns(clean(pl.col(name)).alias(name) for name in cells)
    key = key_column(header, table)
    identifier = pl.col(f"c{key}") if key is not None else pl.lit(None, dtype=pl.String)
    filled = [
        name
        for j, name in enumerate(cells)
        if j in header.fields.values() or header_key(header.labels[j]) not in _NUMBERING
    ]
    has_value = pl.any_horizontal(pl.col(name).is_not_null() for name in filled)
    without_id = raw.filter(~id_like(identifier))
    footer = pl.any_horizontal(
        pl.col(name).str.contains(_TOTAL).fill_null(False) for name in cells
    ) | pl.coalesce(cells).str.contains(_FOOTER_START).fill_null(False)
    footers = without_id.filter(footer).get_column("_row")
    last_id = raw.filter(id_like(identifier)).get_column("_row").max()
    skip = footers
    if last_id is not None:
        # Below the last identifier (NIK) a footer ends the list: what follows is a signature block.
        after = footers.filter(footers > last_id)
        if after.len():
            trailing = without_id.filter(pl.col("_row") > after.min()).get_column("_row")
            skip = pl.concat([footers, trailing]).unique()
    data = raw.filter(has_value & ~pl.col("_row").is_in(skip.implode()))
    if data.height > limits.max_rows:
        raise too_many(data.height, limits, table)
    if data.height == 0:
        raise empty(table)
    names = unique_names(header.labels, first_column)
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
            for name in table.fields
        ),
        "_row",
        *(
            (pl.col(numeric_flag(name)) | _scientific(header, name)).alias(numeric_flag(name))
            for name in table.identifiers
        ),
    )
    return frame, original, raw.height - data.height


def clean(cell: pl.Expr) -> pl.Expr:
    stripped = cell.str.replace_all("\x00", "", literal=True).str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def id_like(cell: pl.Expr) -> pl.Expr:
    """The cell holds something meant as an identifier such as a NIK (10+ digits, or Excel's
    5,20301E+15)."""
    return (
        (cell.str.count_matches(r"\d") >= 10) | cell.str.strip_chars().str.contains(_SCIENTIFIC)
    ).fill_null(False)


def unique_names(labels: Iterable[str], first_column: int) -> dict[str, str]:
    """c0… -> header text; "Nama (2)" for a repeated header, "Kolom C" for an empty one."""
    names: dict[str, str] = {}
    seen: set[str] = set()
    for j, label in enumerate(labels):
        name = label or f"Kolom {letter(first_column + j)}"
        candidate, n = name, 1
        while candidate in seen or candidate == "_row":
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate)
        names[f"c{j}"] = candidate
    return names


def _scientific(header: Header, name: str) -> pl.Expr:
    """The identifier's cell is written as Excel writes a large number to CSV."""
    if name not in header.fields:
        return pl.lit(False)
    return pl.col(f"c{header.fields[name]}").str.contains(_SCIENTIFIC).fill_null(False)
