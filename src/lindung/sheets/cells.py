"""Native cell values (calamine's str, float, int, bool, date, datetime, time) as text: what the
operator sees, except that numbers never lose digits."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import polars as pl


def text_column(values: Sequence[object]) -> pl.Series:
    """One column of native cell values as text (`text`), converted a type at a time: the
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
            parts.append(float_text(picked))
        elif kind is int:
            parts.append(pl.Series(picked, dtype=pl.Int64).cast(pl.String))
        elif kind is datetime.date:
            parts.append(pl.Series(picked, dtype=pl.Date).dt.to_string("%Y-%m-%d"))
        else:
            texts = [None if value is None else text(value) for value in picked]
            parts.append(pl.Series(texts, dtype=pl.String))
    return pl.select(pl.coalesce(parts)).to_series()


def float_text(values: list[object]) -> pl.Series:
    """Whole numbers without ".0" and in full (5203011234560000), others as Python's repr."""
    numbers = pl.Series(values, dtype=pl.Float64)
    whole = (
        numbers.is_finite() & (numbers == numbers.floor()) & (numbers.abs() < 2.0**62)
    ).fill_null(False)
    texts = pl.select(
        pl.when(whole).then(numbers.cast(pl.Int64, strict=False).cast(pl.String))
    ).to_series()
    rest = (~whole & numbers.is_not_null()).arg_true()
    if rest.len():
        texts = texts.scatter(rest, [text(values[i]) for i in rest.to_list()])
    return texts


def text(value: object) -> str | None:
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


def letter(column: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
