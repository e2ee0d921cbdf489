"""The header row: searched in the first rows of a sheet, below any title rows, by the column
names the table accepts; a group row above sub-headers ("Lahir" merged over "Tempat" |
"Tanggal") makes a two-row header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lindung.sheets.errors import ReadError, ReadErrorCode
from lindung.sheets.limits import HEADER_SEARCH_ROWS
from lindung.sheets.table import Table


@dataclass(frozen=True)
class Header:
    index: int  # position of the (upper) header row among the rows searched
    span: int  # 1, or 2 for a group row above sub-headers ("Lahir" over "Tempat" | "Tanggal")
    labels: list[str]  # header text per column, "" when empty
    fields: dict[str, int] = field(default_factory=dict)  # canonical field -> column

    def columns(self, table: Table) -> dict[str, str]:
        """field -> the header text it is read from, in the table's order."""
        return {
            name: self.labels[self.fields[name]] for name in table.fields if name in self.fields
        }


def find_header(rows: list[list[str | None]], table: Table) -> Header:
    """The row (or pair of rows) that names the most known columns."""
    best: Header | None = None
    fallback: Header | None = None  # the best row that is not a usable header, for the error
    for index, row in enumerate(rows):
        single = _header_from([[cell] if cell else [] for cell in row], row, index, 1, table)
        candidates = [single]
        if index + 1 < len(rows):
            below = rows[index + 1]
            below_single = _header_from(
                [[c] if c else [] for c in below], below, index + 1, 1, table
            )
            double = _two_row_header(row, below, index, table)
            if double is not None and len(double.fields) > max(
                len(single.fields), len(below_single.fields)
            ):
                candidates.append(double)
        for candidate in candidates:
            usable = len(candidate.fields) >= 2 and any(
                n in candidate.fields for n in table.required
            )
            if usable and (
                best is None or _error_rank(candidate, table) > _error_rank(best, table)
            ):
                best = candidate
            if fallback is None or _error_rank(candidate, table) > _error_rank(fallback, table):
                fallback = candidate
    if best is None:
        if fallback is not None and _error_rank(fallback, table) > (0, 1):
            raise _columns_missing(fallback, table)
        first = next((row for row in rows if any(row)), [])
        labels = [table.label(name) for name in table.required]
        raise ReadError(
            ReadErrorCode.HEADER_NOT_FOUND,
            _(table.wording.header_not_found)
            % {"rows": HEADER_SEARCH_ROWS, "required": _and(labels)},
            found=[cell for cell in first if cell],
            expected=labels,
        )
    if not all(name in best.fields for name in table.required):
        raise _columns_missing(best, table)
    return best


def _error_rank(header: Header, table: Table) -> tuple[int, int]:
    return (sum(name in header.fields for name in table.required), len(header.fields))


def _two_row_header(
    top: list[str | None], sub: list[str | None], index: int, table: Table
) -> Header | None:
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
    return _header_from(choices, labels, index, 2, table)


def _header_from(
    choices: list[list[str]],
    labels: Sequence[str | None],
    index: int,
    span: int,
    table: Table,
) -> Header:
    """Map columns to fields: per column the first matching text among its choices."""
    found: dict[str, tuple[int, int]] = {}  # field -> (alias rank, column)
    for column, texts in enumerate(choices):
        for text in texts:
            match = table.match(text)
            if match is not None:
                name, rank = match
                if name not in found or rank < found[name][0]:
                    found[name] = (rank, column)
                break
    return Header(
        index=index,
        span=span,
        labels=[" ".join(label.split()) if label else "" for label in labels],
        fields={name: column for name, (_rank, column) in found.items()},
    )


def _columns_missing(header: Header, table: Table) -> ReadError:
    absent = [name for name in table.required if name not in header.fields]
    missing = [table.label(name) for name in absent]
    found = [label for label in header.labels if label]
    return ReadError(
        ReadErrorCode.COLUMNS_MISSING,
        _(
            "The file has no column %(missing)s. Columns found: %(found)s. Add the column "
            "%(missing)s (also accepted: %(variants)s) and upload the file again."
        )
        % {
            "missing": " / ".join(missing),
            "found": ", ".join(found) or "-",
            "variants": "; ".join(table.variants_of(name) for name in absent),
        },
        found=found,
        expected=missing,
    )


def _and(labels: list[str]) -> str:
    """ "NIK", "NIK dan Nama", "KPJ, NIK dan Status"."""
    if len(labels) < 2:
        return "".join(labels)
    return _("%(first)s and %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}
