"""What a caller declares (`Table`: the columns it reads, the header names it accepts, the
messages that name its rows) and what it gets back (`Sheet`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext_noop

_PARENS = re.compile(r"\(.*?\)")
_NOT_ALNUM = re.compile(r"[\W_]+")


def header_key(text: str) -> str:
    """A header text compared case-, space- and punctuation-insensitively."""
    return _NOT_ALNUM.sub("", text.casefold())


@dataclass(frozen=True)
class Wording:
    """The messages that say what the rows of a file are ("worker rows", "the worker list").
    Each is an English msgid marked with gettext_noop and translated when raised; the
    placeholders are those of the defaults."""

    not_spreadsheet: str = gettext_noop(
        "The file is not a spreadsheet or a CSV file. Save the list as .xlsx (Excel), .ods "
        "(LibreOffice) or .csv and upload it again."
    )
    zip_not_spreadsheet: str = gettext_noop(
        "The file is a zip archive but not an Excel (.xlsx) or LibreOffice (.ods) "
        "spreadsheet. Upload the list itself as .xlsx, .ods or .csv."
    )
    empty: str = gettext_noop(
        "The file contains no data rows. Fill in one row per entry below the header row and "
        "upload the file again."
    )
    # %(rows)s: rows searched; %(required)s: the required columns' labels
    header_not_found: str = gettext_noop(
        "No row with the column names was found in the first %(rows)s rows. Put the column "
        "names in one row above the data, at least %(required)s."
    )
    # %(limit)s, %(rows)s
    too_many_rows: str = gettext_noop(
        "The file has more than %(limit)s rows (%(rows)s found). Split the list into files of "
        "at most %(limit)s rows and upload them one by one."
    )
    # %(sheet)s, %(rows)s, %(cell)s, %(limit)s
    sheet_too_long: str = gettext_noop(
        'The sheet "%(sheet)s" goes down to row %(rows)s (its last filled cell is %(cell)s), '
        "more than the limit of %(limit)s rows, so it was not read. If the list is that long, "
        "split it into files of at most %(limit)s rows. If the rows below the list are not "
        "part of it, delete them (or copy the table into a new sheet) and upload the file "
        "again."
    )
    # %(hidden)s, %(visible)s, %(sheets)s
    sheet_hidden: str = gettext_noop(
        'The list is on the hidden sheet "%(hidden)s"; the visible sheets (%(visible)s) hold '
        "no list. Unhide the sheet in Excel (right-click a sheet tab > Unhide) and upload the "
        'file again, or choose the sheet "%(hidden)s". Sheets in the file: %(sheets)s.'
    )


@dataclass(frozen=True)
class Table:
    """The columns a file is read into.

    aliases      field -> accepted header texts, best first (a sequence, or one string with
                 " | " between them). When two columns match one field the column with the
                 earlier alias wins. Compared case-, space- and punctuation-insensitively, and
                 again without a bracketed note ("Penghasilan (Rp)").
    required     fields without which the file is refused (COLUMNS_MISSING)
    identifiers  fields holding long numbers (NIK, KPJ) that Excel may have stored as numbers:
                 each gets a `_<field>_numeric` Boolean column, and a cell with 10 or more
                 digits in the first one present marks a data row (rows below the last such
                 row that follow a total or signature line are the footer)
    labels       how a required field is named to the operator (default: its first alias)
    variants     other accepted names shown with a missing column (default: the next three)
    """

    aliases: Mapping[str, str | Sequence[str]]
    required: tuple[str, ...]
    identifiers: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    variants: Mapping[str, str] = field(default_factory=dict)
    wording: Wording = field(default_factory=Wording)
    _index: dict[str, tuple[str, int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {
            header_key(alias): (name, rank)
            for name in self.aliases
            for rank, alias in enumerate(self.names_of(name))
        }
        object.__setattr__(self, "_index", index)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.aliases)

    def names_of(self, name: str) -> list[str]:
        names = self.aliases[name]
        return names.split(" | ") if isinstance(names, str) else list(names)

    def label(self, name: str) -> str:
        return self.labels.get(name) or self.names_of(name)[0]

    def variants_of(self, name: str) -> str:
        return self.variants.get(name) or ", ".join(self.names_of(name)[1:4]) or "-"

    def match(self, text: str) -> tuple[str, int] | None:
        """(field, alias rank) of a header text, or None."""
        hit = self._index.get(header_key(text))
        if hit is None and "(" in text:
            hit = self._index.get(header_key(_PARENS.sub("", text)))
        return hit


@dataclass
class Sheet:
    frame: pl.DataFrame  # table fields as pl.String (null when absent/empty), `_row`, flags
    original: pl.DataFrame  # every column as text under its (deduplicated) header, `_row`
    columns: dict[str, str]  # field -> header text it was read from
    header_row: int  # 1-based; the upper row of a two-row header
    rows_skipped: int  # blank, footer and signature rows below the header
    sheet_name: str | None
    file_format: str  # "xlsx" | "xls" | "ods" | "csv"
    encoding: str | None = None  # CSV only: "utf-8" / "utf-8-sig" / "utf-16" / "cp1252"
    delimiter: str | None = None  # CSV only
