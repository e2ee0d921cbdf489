"""A recap's cells as branches write them, each distinct text read once.

parse_status("Non Aktif") -> "inactive"      "active", "inactive" or None (unknown)
parse_month("Juni 2027") -> date(2027, 6, 1)  the paid-through month; ValueError if none
parse_amount("16.800") -> 16800               whole rupiah; ValueError if none
parse_statuses / parse_months / parse_amounts (a column) -> value, unreadable
"""

import datetime
import re
from typing import Any

import polars as pl

from lindung.formats import parse_rupiah
from lindung.registry.pipeline.values import parse_date

ACTIVE, INACTIVE, UNKNOWN = "active", "inactive", "unknown"
_INACTIVE = re.compile(
    r"\b(non ?aktif|nonaktif|tidak aktif|tdk aktif|na|inactive|not active|non active|"
    r"berhenti|dihentikan|keluar|meninggal|wafat|putus|lapsed?|kadaluarsa|kedaluwarsa|"
    r"expired|blokir|diblokir|ditutup|tutup|closed|terminated|mundur|pensiun)\b"
)
_ACTIVE = re.compile(r"\b(aktif|active|terdaftar|menunggak|tunggakan|masa tenggang|grace)\b")
_YES = frozenset({"y", "ya", "yes", "ok", "1", "true"})
_NO = frozenset({"t", "tidak", "n", "no", "0", "false"})


def parse_status(text: str | None) -> str | None:
    """ "active", "inactive", or None when the text says neither (an empty cell is None too).
    "Non Aktif" is read before "Aktif"; a member in arrears ("Menunggak") is still active."""
    value = " ".join((text or "").lower().replace("-", " ").replace("_", " ").split())
    if not value:
        return None
    if value in _YES:
        return ACTIVE
    if value in _NO or _INACTIVE.search(value):
        return INACTIVE
    if _ACTIVE.search(value):
        return ACTIVE
    return None


_MONTHS = {
    **dict.fromkeys(["januari", "jan", "january"], 1),
    **dict.fromkeys(["februari", "pebruari", "feb", "peb", "february"], 2),
    **dict.fromkeys(["maret", "mar", "march"], 3),
    **dict.fromkeys(["april", "apr"], 4),
    **dict.fromkeys(["mei", "may"], 5),
    **dict.fromkeys(["juni", "jun", "june"], 6),
    **dict.fromkeys(["juli", "jul", "july"], 7),
    **dict.fromkeys(["agustus", "agu", "agt", "ags", "agus", "aug", "august"], 8),
    **dict.fromkeys(["september", "sep", "sept"], 9),
    **dict.fromkeys(["oktober", "okt", "oct", "october"], 10),
    **dict.fromkeys(["november", "nov", "nop", "nopember"], 11),
    **dict.fromkeys(["desember", "des", "dec", "december"], 12),
}
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(?P<m>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})$")
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$")
_NAMED = re.compile(r"^(?P<m>[a-z]+)\.?[\s\-/.,]*(?P<y>\d{4}|\d{2})$")
FIRST_YEAR, LAST_YEAR = 1990, 2100


def parse_month(text: str | None) -> datetime.date | None:
    """The first day of the month a paid-through cell names, or None for an empty cell;
    ValueError when it names no month. Months: "2027-06", "2027/6", "06-2027", "6/2027",
    "202706", "Juni 2027", "JUN-27", "Jun. 2027"; dates (the month they lie in): "2027-06-30",
    "30-06-2027", "30 Juni 2027", Excel serials ("46568")."""
    value = " ".join((text or "").lower().split())
    if not value:
        return None
    year = month = None
    for pattern in (_YEAR_MONTH, _MONTH_YEAR, _COMPACT):
        if match := pattern.match(value):
            year, month = int(match["y"]), int(match["m"])
            break
    else:
        if (match := _NAMED.match(value)) and match["m"] in _MONTHS:
            year, month = int(match["y"]), _MONTHS[match["m"]]
            year += 2000 if year < 100 else 0
    if year is None or month is None:
        day = parse_date(pl.Series([value], dtype=pl.String)).get_column("date")[0]
        if day is None:
            raise ValueError(value)
        year, month = day.year, day.month
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise ValueError(value)
    return datetime.date(year, month, 1)


_ENGLISH_THOUSANDS = re.compile(r"^(?:rp\.?\s*)?(\d{1,3}),(\d{3})$")
_ENGLISH_CENTS = re.compile(r"^(?:rp\.?\s*)?(\d+)\.(\d{1,2})$")


def parse_amount(text: str | None) -> int | None:
    """Whole rupiah from an amount cell, None for an empty one; ValueError when it is no
    amount (or negative, or a fraction of a rupiah). Indonesian "16.800", "Rp16.800,00",
    English "16,800.00", numbers "16800"; "16,800" is sixteen thousand eight hundred here
    (contributions are whole rupiah, so a comma before three digits groups thousands)."""
    value = " ".join((text or "").split())
    if not value:
        return None
    try:
        return parse_rupiah(value)
    except ValueError:
        lowered = value.lower()
        if match := _ENGLISH_THOUSANDS.match(lowered):
            return int(match[1] + match[2])
        if (match := _ENGLISH_CENTS.match(lowered)) and int(match[2]) == 0:
            return int(match[1])
        raise


def _each_distinct(raw: pl.Series, parse: Any, dtype: Any) -> pl.DataFrame:
    """`value` (the parsed cell, null when empty or unreadable) and `unreadable` of each
    cell, each distinct text parsed once."""
    texts = raw.cast(pl.String)
    distinct = texts.drop_nulls().unique().to_list()
    values: list[Any] = []
    bad: list[bool] = []
    for text in distinct:
        try:
            parsed = parse(text)
        except ValueError:
            parsed = None
        values.append(parsed)
        bad.append(parsed is None and bool(str(text).strip()))
    table = pl.DataFrame(
        {"text": distinct, "value": values, "unreadable": bad},
        schema={"text": pl.String, "value": dtype, "unreadable": pl.Boolean},
    )
    return (
        pl.DataFrame({"text": texts})
        .join(table, on="text", how="left", maintain_order="left")
        .select(pl.col("value"), pl.col("unreadable").fill_null(value=False))
    )


def parse_statuses(raw: pl.Series) -> pl.DataFrame:
    return _each_distinct(raw, parse_status, pl.String)


def parse_months(raw: pl.Series) -> pl.DataFrame:
    return _each_distinct(raw, parse_month, pl.Date)


def parse_amounts(raw: pl.Series) -> pl.DataFrame:
    return _each_distinct(raw, parse_amount, pl.Int64)
