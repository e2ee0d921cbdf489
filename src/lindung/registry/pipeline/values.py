# Over 600 lines: one pipeline step's column parsers, each short; splitting would scatter them.
"""Vectorised parsers for the columns of a worker spreadsheet.

Each public function takes a `pl.Series` of text cells (dtype String, null for an empty cell)
and returns a Series or DataFrame of the same length and order. The common forms are read with
Polars expressions over the whole column; Python runs only on the few distinct values that need
it (numbers in scientific notation, occupation spellings), never once per row.

Unless said otherwise, a cell with no letter or digit in it ("", "  ", "-", "--") is empty.
"""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import polars as pl
from django.utils import timezone
from stdnum import numdb

from lindung.registry.models import Occupation
from lindung.registry.pipeline.codes import MIN_AGE, RowError, RowWarning

# --- shared helpers -------------------------------------------------------------------------

_HAS_TEXT = r"[\p{L}\p{N}]"
_INTEGRAL_FLOAT = r"^(\d+)\.0+$"  # a whole number written by a spreadsheet: "81234567890.0"
_SCIENTIFIC = r"^\d+(?:[.,]\d+)?[eE]\+?\d{1,2}$"  # "5.20301123456e+15", "5,20301E+15"
_QUOTES = "'\"`\u2018\u2019\u201c\u201d"
# A run of whitespace or control characters other than one plain space.
_SPACE_RUNS = r"[[\s\p{Cc}]--[ ]][\s\p{Cc}]*| [\s\p{Cc}]+"


def _cell(expr: pl.Expr) -> pl.Expr:
    """The cell with surrounding whitespace removed, or null when it holds no letter or digit.

    Give it a column, not a long expression: the expression is used twice.
    """
    text = expr.str.strip_chars()
    return pl.when(text.str.contains(_HAS_TEXT)).then(text)


def _on_distinct(raw: pl.Series, parse: Callable[[pl.Series], pl.DataFrame]) -> pl.DataFrame:
    """`parse(raw)`, computed once per distinct value when the values repeat (birth dates,
    incomes, sexes do: most of a column is a few thousand values) and directly when many are
    distinct, where deduplicating (about 0.4 s per million distinct values) costs more than
    it saves."""
    raw = raw.cast(pl.String)
    if raw.n_unique() * 4 > raw.len():
        return parse(raw)
    distinct = raw.unique()
    parsed = parse(distinct).with_columns(_distinct=distinct)
    return (
        pl.DataFrame({"_distinct": raw})
        .join(parsed, on="_distinct", how="left", maintain_order="left", nulls_equal=True)
        .drop("_distinct")
    )


def _frame(raw: pl.Series) -> pl.DataFrame:
    """The column as `raw` (String) and `text` (its `_cell`), the start of every parser.

    Parsers add one step's columns at a time (`with_columns`), so that each intermediate value is
    computed once: an expression used in several places of one `select` was computed again for
    each use, which made the date and income parsers 10-20 times slower.
    """
    return pl.DataFrame({"raw": raw.cast(pl.String)}).with_columns(text=_cell(pl.col("raw")))


def _expand_scientific(text: pl.Series) -> pl.Series:
    """Numbers in scientific notation written out in full, exactly (Decimal, not float).

    Only the distinct values that look scientific reach Python; other values pass unchanged.
    A value that is not a whole non-negative number stays as it was.
    """
    scientific = text.str.contains(_SCIENTIFIC).fill_null(False)
    if not scientific.any():
        return text
    values = text.filter(scientific)
    digits = {value: _scientific_to_digits(value) for value in values.unique().to_list()}
    return text.clone().scatter(scientific.arg_true(), values.replace(digits))


def _scientific_to_digits(value: str) -> str:
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        return value
    if number < 0 or number != number.to_integral_value():
        return value
    return str(int(number))


def _is_leap(year: pl.Expr) -> pl.Expr:
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))


def _date_from_parts(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The date, or null when the parts are no real date (31-02, 29-02 in a common year…)."""
    days_in_month = (
        pl.when(month == 2)
        .then(pl.when(_is_leap(year)).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    real = year.is_between(1, 9999) & month.is_between(1, 12) & day.is_between(1, days_in_month)
    # pl.date raises on impossible parts, so impossible rows get null parts instead.
    return pl.date(pl.when(real).then(year), pl.when(real).then(month), pl.when(real).then(day))


def has_text(raw: pl.Series) -> pl.Series:
    """True where the cell holds a letter or a digit (is not empty in the sense above)."""
    return raw.cast(pl.String).str.contains(_HAS_TEXT).fill_null(False)


def clean_text(raw: pl.Series, limit: int) -> pl.Series:
    """Free text (address, birth place): runs of whitespace and control characters become one
    space, cut to `limit` characters (the column's length); null when empty."""
    cleaned = (
        raw.cast(pl.String)
        .str.replace_all(r"[\s\p{Cc}]+", " ")
        .str.strip_chars()
        .str.slice(0, limit)
        .str.strip_chars()
    )
    return pl.select(pl.when(cleaned.str.contains(_HAS_TEXT)).then(cleaned)).to_series()


# --- NIK and No. KK -------------------------------------------------------------------------


def _stdnum_provinces() -> frozenset[str]:
    """The province codes that `stdnum.id.nik` accepts (its `id/loc` database)."""
    codes: set[str] = set()
    for _length, low, high, _props, _children in numdb.get("id/loc").prefixes:
        codes.update(f"{code:02d}" for code in range(int(low), int(high) + 1))
    return frozenset(codes)


# Kemendagri province codes within 11..94 missing from stdnum's (BPS-era) list: Kalimantan
# Utara (65, since 2012), Papua Barat (92) and Papua Selatan (93). People from there live and
# work in Lombok with real NIKs, so they are accepted although `stdnum.id.nik` rejects them.
PROVINCES_MISSING_FROM_STDNUM = frozenset({"65", "92", "93"})
NIK_PROVINCES = _stdnum_provinces() | PROVINCES_MISSING_FROM_STDNUM


def _with_nik_parts(frame: pl.DataFrame, nik: str) -> pl.DataFrame:
    """Adds `_day` (with women's +40), `_month`, `_yy` (Int32) and `_valid` (Boolean) of the
    NIK in column `nik`: the vectorised `stdnum.id.nik.is_valid`, with our own differences.

    Like stdnum: 16 digits; a known province (digits 1-2); digits 7-12 a date DDMMYY, 40
    added to the day for women, real in 19yy or in 20yy (29-02 only when yy % 4 == 0, since
    2000 is a leap year). Unlike stdnum:
    - the serial (digits 13-16) must not be 0000;
    - the day must be 01-31 or 41-71: stdnum takes the day modulo 40, so it also accepts
      81-99 (as 1-19), which Dukcapil never issues;
    - the provinces in PROVINCES_MISSING_FROM_STDNUM are accepted.
    """
    code = pl.col(nik)
    frame = frame.with_columns(
        _sixteen=code.str.contains(r"^\d{16}$").fill_null(False),
        _day=code.str.slice(6, 2).cast(pl.Int32, strict=False),
        _month=code.str.slice(8, 2).cast(pl.Int32, strict=False),
        _yy=code.str.slice(10, 2).cast(pl.Int32, strict=False),
    )
    day, month, yy = pl.col("_day"), pl.col("_month"), pl.col("_yy")
    days_in_month = (
        pl.when(month == 2)
        .then(pl.when(yy % 4 == 0).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    valid = (
        pl.col("_sixteen")
        & code.str.slice(0, 2).is_in(sorted(NIK_PROVINCES))
        & (day.is_between(1, 31) | day.is_between(41, 71))
        & month.is_between(1, 12)
        & (day % 40 <= days_in_month)
        & (code.str.slice(12, 4) != "0000")
    )
    return frame.with_columns(_valid=valid.fill_null(False))


def _clean_id_number(raw: pl.Series, numeric: pl.Series) -> pl.DataFrame:
    """NIK/KK cleaning. Columns `digits` (String, null when empty) and `numeric` (Boolean).

    A cell reads as a spreadsheet number when `numeric` says so or when its text is one
    ("5203011234560001.0", "5.20301123456e+15"): both can only come from a number cell.
    """
    text = raw.cast(pl.String).str.strip_chars().str.strip_chars(_QUOTES).str.strip_chars()
    number_form = text.str.contains(_INTEGRAL_FLOAT) | text.str.contains(_SCIENTIFIC)
    text = _expand_scientific(text.str.replace(_INTEGRAL_FLOAT, "${1}"))
    digits = text.str.replace_all(r"[\s.\-\u2010-\u2015]", "")
    return pl.DataFrame(
        {
            "digits": pl.select(pl.when(digits.str.len_chars() > 0).then(digits)).to_series(),
            "numeric": numeric.cast(pl.Boolean).fill_null(False) | number_form.fill_null(False),
        }
    )


def clean_nik(raw: pl.Series, numeric: pl.Series) -> pl.DataFrame:
    """Columns `nik` (String), `nik_error` (String) and `nik_warning` (String).

    `nik` is the 16 digits, or the cleaned text when invalid, or null when the cell is empty.
    Cleaning removes whitespace, dots, dashes, surrounding quotes and Excel's leading
    apostrophe, and writes numbers in full ("…0001.0", "5.20301123456e+15").

    Errors, first that applies: NIK_MISSING (empty); NIK_INVALID (not 16 digits); a
    spreadsheet number ending in 0 is NIK_EXCEL_PRECISION (Excel keeps 15 significant digits,
    so the 16th was lost; the other checks do not matter then); NIK_INVALID (see
    `_with_nik_parts`). A valid NIK from a number cell is kept with the warning
    NIK_EXCEL_PRECISION.
    """
    nik = pl.col("digits")
    error = (
        pl.when(nik.is_null())
        .then(pl.lit(RowError.NIK_MISSING.value))
        .when(~pl.col("_sixteen"))
        .then(pl.lit(RowError.NIK_INVALID.value))
        .when(pl.col("numeric") & nik.str.ends_with("0"))
        .then(pl.lit(RowError.NIK_EXCEL_PRECISION.value))
        .when(~pl.col("_valid"))
        .then(pl.lit(RowError.NIK_INVALID.value))
    )
    return (
        _with_nik_parts(_clean_id_number(raw, numeric), "digits")
        .with_columns(error.alias("nik_error"))
        .select(
            nik.alias("nik"),
            pl.col("nik_error"),
            pl.when(pl.col("nik_error").is_null() & pl.col("numeric"))
            .then(pl.lit(RowWarning.NIK_EXCEL_PRECISION.value))
            .alias("nik_warning"),
        )
    )


def clean_no_kk(raw: pl.Series, numeric: pl.Series) -> pl.Series:
    """The No. KK cleaned like a NIK: its 16 digits, or null.

    No errors (the number is informative), but a spreadsheet number ending in 0 is null: Excel
    lost its last digit, and a wrong KK would join the worker to someone else's family.
    """
    kk = pl.col("digits")
    return (
        _clean_id_number(raw, numeric)
        .select(
            pl.when(kk.str.contains(r"^\d{16}$") & ~(pl.col("numeric") & kk.str.ends_with("0")))
            .then(kk)
            .alias("no_kk")
        )
        .to_series()
    )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def nik_facts(nik: pl.Series, today: datetime.date) -> pl.DataFrame:
    """What a valid NIK says; all null for an invalid one.

    Columns `nik_birth_date` (Date), `nik_sex` ("L"/"P": women have 40 added to the day),
    `nik_kecamatan` ("52.03.07", digits 1-6) and `nik_kabupaten` ("52.03", digits 1-4).

    Century of the 2-digit year yy: 20yy when that year is not after `today`'s year, else 19yy;
    then, when the 20yy date would make the person younger than MIN_AGE (10) on `today`, 19yy.
    A date that exists in one century only (29-02-00 is 2000) takes that century.
    """
    code = pl.col("nik")
    valid = pl.col("_valid")
    frame = _with_nik_parts(pl.DataFrame({"nik": nik.cast(pl.String)}), "nik").with_columns(
        _in_2000s=_date_from_parts(2000 + pl.col("_yy"), pl.col("_month"), pl.col("_day") % 40),
        _in_1900s=_date_from_parts(1900 + pl.col("_yy"), pl.col("_month"), pl.col("_day") % 40),
    )
    in_2000s, in_1900s = pl.col("_in_2000s"), pl.col("_in_1900s")
    old_enough = pl.lit(_years_before(today, MIN_AGE))
    birth = (
        pl.when(valid & (2000 + pl.col("_yy") <= today.year) & (in_2000s <= old_enough))
        .then(in_2000s)
        .when(valid)
        .then(pl.coalesce(in_1900s, in_2000s))
    )
    sex = pl.when(pl.col("_day") > 40).then(pl.lit("P")).otherwise(pl.lit("L"))
    province, kabupaten, kecamatan = (
        code.str.slice(0, 2),
        code.str.slice(2, 2),
        code.str.slice(4, 2),
    )
    return frame.select(
        birth.alias("nik_birth_date"),
        pl.when(valid).then(sex).alias("nik_sex"),
        pl.when(valid)
        .then(pl.concat_str(province, kabupaten, kecamatan, separator="."))
        .alias("nik_kecamatan"),
        pl.when(valid)
        .then(pl.concat_str(province, kabupaten, separator="."))
        .alias("nik_kabupaten"),
    )


# --- dates ----------------------------------------------------------------------------------

_MONTHS = {
    **dict.fromkeys(["januari", "jan", "january"], 1),
    **dict.fromkeys(["februari", "feb", "peb", "pebruari", "february"], 2),
    **dict.fromkeys(["maret", "mar", "march"], 3),
    **dict.fromkeys(["april", "apr"], 4),
    **dict.fromkeys(["mei", "may"], 5),
    **dict.fromkeys(["juni", "jun", "june"], 6),
    **dict.fromkeys(["juli", "jul", "july"], 7),
    **dict.fromkeys(["agustus", "agu", "agt", "ags", "agus", "aug", "august"], 8),
    **dict.fromkeys(["september", "sep", "sept", "sepember"], 9),
    **dict.fromkeys(["oktober", "okt", "oct", "october"], 10),
    **dict.fromkeys(["november", "nov", "nop", "nopember"], 11),
    **dict.fromkeys(["desember", "des", "dec", "december"], 12),
}
_TIME = r"(?:[ t]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?"
_SEP = r"\s*[-/.]\s*"
_YEAR_FIRST = rf"^(?<y>\d{{4}}){_SEP}(?<m>\d{{1,2}}){_SEP}(?<d>\d{{1,2}}){_TIME}$"
_DAY_FIRST = (
    rf"^(?<d>\d{{1,2}})(?:{_SEP}|\s+)(?<m>\d{{1,2}})(?:{_SEP}|\s+)(?<y>\d{{4}}|\d{{2}}){_TIME}$"
)
_MONTH_NAME = r"^(?<d>\d{1,2})[-/.,\s]*(?<m>[a-z]+)\.?[-/.,\s]*(?<y>\d{4}|\d{2})$"
_SERIAL = r"^(\d{1,5})(?:\.0+)?$"
# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 the 29-02-1900 that never was
# (Lotus 1-2-3's leap-year bug), so from serial 61 on the base is 1899-12-30. As days from
# 1970-01-01 (Polars' Date): serial - 25568 below 60, serial - 25569 above.
_SERIAL_LAST = (datetime.date(2100, 12, 31) - datetime.date(1899, 12, 30)).days


def parse_date(raw: pl.Series, *, today: datetime.date | None = None) -> pl.DataFrame:
    """Columns `date` (Date or null) and `date_unreadable` (Boolean: a non-empty cell that is
    no date).

    Read, day first always (05/06/1980 is 5 June):
    - "1980-05-28", "1980/05/28", "1980-05-28 00:00:00" (a real date cell);
    - Excel serials "29369", "29369.0" up to 31-12-2100 (serial 60, the fictitious 29-02-1900,
      is unreadable), except that a bare number 1900-2100 is a year alone, so unreadable;
    - "28-05-1980", "28/05/1980", "28.05.1980", "28 05 1980", "5/6/80": a 2-digit year yy is
      20yy when yy <= `today`'s yy, else 19yy (`today` defaults to the local date);
    - "28 Mei 1980", "28-Mei-80", "28 Agt. 1980", "28 AGUSTUS 1980": Indonesian and English
      month names and their usual abbreviations, any case.
    Impossible dates (31-02-1980) are unreadable.
    """
    pivot = (today or timezone.localdate()).year % 100
    return _on_distinct(raw, lambda distinct: _parse_date(distinct, pivot))


def _parse_date(raw: pl.Series, pivot: int) -> pl.DataFrame:
    text = pl.col("text").str.to_lowercase()
    frame = _frame(raw).with_columns(
        _year_first=text.str.extract_groups(_YEAR_FIRST),
        _day_first=text.str.extract_groups(_DAY_FIRST),
        _month_name=text.str.extract_groups(_MONTH_NAME),
        _serial=text.str.extract(_SERIAL, 1).cast(pl.Int32, strict=False),
    )

    def number(pattern: str, part: str) -> pl.Expr:
        return pl.col(pattern).struct.field(part).cast(pl.Int32, strict=False)

    def year(pattern: str) -> pl.Expr:
        yy = number(pattern, "y")
        two_digits = pl.col(pattern).struct.field("y").str.len_chars() == 2
        century = pl.when(yy <= pivot).then(2000).otherwise(1900)
        return pl.when(two_digits).then(century + yy).otherwise(yy)

    # Only one of the three patterns matches a cell, so coalescing their parts never mixes them.
    frame = frame.with_columns(
        _y=pl.coalesce(number("_year_first", "y"), year("_day_first"), year("_month_name")),
        _m=pl.coalesce(
            number("_year_first", "m"),
            number("_day_first", "m"),
            pl.col("_month_name")
            .struct.field("m")
            .replace_strict(_MONTHS, default=None, return_dtype=pl.Int32),
        ),
        _d=pl.coalesce(
            number("_year_first", "d"), number("_day_first", "d"), number("_month_name", "d")
        ),
    )
    serial = pl.col("_serial")
    from_serial = (
        pl.when(serial.is_between(1, 59))
        .then(serial - 25568)
        .when(serial.is_between(61, _SERIAL_LAST) & ~serial.is_between(1900, 2100))
        .then(serial - 25569)
        .cast(pl.Date)
    )
    date = pl.coalesce(_date_from_parts(pl.col("_y"), pl.col("_m"), pl.col("_d")), from_serial)
    return frame.with_columns(date=date).select(
        pl.col("date"),
        (pl.col("date").is_null() & pl.col("text").is_not_null()).alias("date_unreadable"),
    )


_DATE_TAIL = (
    r"\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}"
    r"|\d{1,2}[-/.,\s]*[A-Za-z]+\.?[-/.,\s]*\d{2,4}"
    r"|\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}"
)
# The date-like end of the cell, after a separator or alone.
_TRAILING_DATE = rf"(?:^|[\s,;:/])((?:{_DATE_TAIL}){_TIME})$"
_AFTER_LAST_COMMA = r"^(?<place>.*),\s*(?<date>[^,]*)$"


def split_place_date(raw: pl.Series) -> pl.DataFrame:
    """Columns `birth_place` and `birth_date_text` (String) of a "Tempat, Tgl Lahir" cell.

    The date is the trailing date-like part ("Lombok Timur 28-05-1980", "SELONG,28 Mei 1980");
    without one, the text after the last comma ("Selong, 1980": the date text "1980" is then
    for `parse_date` to reject); without a comma, all is place ("Selong").
    """
    return _on_distinct(raw, _split_place_date)


def _split_place_date(raw: pl.Series) -> pl.DataFrame:
    text = _frame(raw).get_column("text").str.replace_all(r"[^\S ]\s*| \s+", " ")
    date = text.str.extract(_TRAILING_DATE, 1)
    place = pl.select(
        pl.lit(text).str.head(pl.lit(text).str.len_chars() - pl.lit(date).str.len_chars())
    ).to_series()
    place = place.fill_null(text)
    # The few cells without a date-like end but with a comma: split at the last comma.
    by_comma = date.is_null() & text.str.contains(",", literal=True)
    if by_comma.any():
        rows = by_comma.arg_true()
        parts = text.filter(by_comma).str.extract_groups(_AFTER_LAST_COMMA).struct
        place = place.scatter(rows, parts.field("place"))
        date = date.scatter(rows, parts.field("date"))
    place = place.str.strip_chars(" ,;:/-")
    return pl.select(
        birth_place=pl.when(place.str.contains(_HAS_TEXT)).then(place),
        birth_date_text=pl.when(date.str.contains(_HAS_TEXT)).then(date.str.strip_chars()),
    )


# --- sex, income ----------------------------------------------------------------------------

_SEX = {
    **dict.fromkeys(
        ["l", "lk", "laki", "lakilaki", "laki2", "lelaki", "pria", "m", "male", "1"], "L"
    ),
    **dict.fromkeys(["p", "pr", "prp", "perempuan", "wanita", "w", "f", "female", "2"], "P"),
}


def parse_sex(raw: pl.Series) -> pl.Series:
    """The sex as "L", "P" or null. Reads L/P, LK/PR, Laki-laki, Lelaki, Pria, Perempuan,
    Wanita, M/F and Dukcapil's codes 1 (L) and 2 (P), in any case and spacing. Anything else is
    null."""
    return _on_distinct(raw, _parse_sex).to_series()


def _parse_sex(raw: pl.Series) -> pl.DataFrame:
    key = (
        pl.col("text")
        .str.to_lowercase()
        .str.replace(r"\.0+$", "")
        .str.replace_all(r"[^\p{L}\p{N}]", "")
        .replace_strict(_SEX, default=None, return_dtype=pl.String)
    )
    return _frame(raw).select(key.alias("sex"))


_UNIT_ZEROS = {"jt": 6, "juta": 6, "jta": 6, "rb": 3, "ribu": 3, "rebu": 3, "k": 3}
_AROUND_AMOUNT = (
    r"^(?:rp|idr)\.?\s*"
    r"|(?:\s*(?:(?:/|per\s*|se)\s*(?:bulan|bln|bl)\.?|rupiah|[.,]?\s*-+))+$"
)
_AMOUNT = r"^(?<number>\d[\d.,]*\d|\d)\s*(?<unit>juta|jta|jt|ribu|rebu|rb|k)?\.?$"


def parse_income(raw: pl.Series) -> pl.DataFrame:
    """Columns `income` (Int64 rupiah or null) and `income_unreadable` (Boolean: a non-empty
    cell that could not be read).

    Around the number: "Rp", "Rp.", "IDR" before; ",-", "rupiah", "/bulan", "per bln" after;
    a unit "jt"/"juta" (x 1.000.000) or "rb"/"ribu"/"k" (x 1.000).
    The number, Indonesian style first:
    - digits only: "1500000";
    - groups of three after "." or ",", with no decimal part, are thousands: "1.500.000",
      "1,500,000", and also a single group without a unit: "1.500" and "1,500" are 1500;
    - both separators: the last one is the decimal point ("1.250.000,00", "1,250,000.50");
    - otherwise one separator is the decimal point: "1,5 jt", "1.5 juta", "1.500 jt" (1,5
      million: with a unit a single separator is always decimal), "1500000.0" (a number cell);
    - scientific notation from a number cell ("1.5e+06").
    Fractions of a rupiah are rounded half up. Negative amounts, ranges, words and other
    separators are unreadable. Amounts above 15 digits are unreadable.
    """
    return _on_distinct(raw, _parse_income)


def _parse_income(raw: pl.Series) -> pl.DataFrame:
    amount = (
        pl.col("text")
        .str.to_lowercase()
        .str.replace_all(_AROUND_AMOUNT, "")
        .str.extract_groups(_AMOUNT)
    )
    frame = _frame(_expand_scientific(raw.cast(pl.String).str.strip_chars()))
    frame = frame.with_columns(_amount=amount).with_columns(
        _number=pl.col("_amount").struct.field("number"),
        _unit=pl.col("_amount").struct.field("unit"),
    )
    number, unit = pl.col("_number"), pl.col("_unit")
    separators = number.str.count_matches(r"[.,]")
    thousands = number.str.contains(r"^\d{1,3}(?:\.\d{3})+$|^\d{1,3}(?:,\d{3})+$") & (
        unit.is_null() | (separators > 1)
    )
    frame = frame.with_columns(
        _zeros=unit.replace_strict(_UNIT_ZEROS, default=0, return_dtype=pl.Int64),
        _form=pl.when(separators == 0)
        .then(pl.lit("whole"))
        .when(thousands)
        .then(pl.lit("whole"))
        .when(
            number.str.contains(r"^\d+[.,]\d+$|^\d{1,3}(?:\.\d{3})+,\d+$|^\d{1,3}(?:,\d{3})+\.\d+$")
        )
        .then(pl.lit("decimal")),
    )
    decimal = pl.col("_form") == "decimal"
    frame = frame.with_columns(
        _fraction=pl.when(decimal).then(number.str.extract(r"(\d+)$", 1)).otherwise(pl.lit(""))
    )
    fraction = pl.col("_fraction")
    frame = frame.with_columns(
        _whole=pl.when(pl.col("_form").is_not_null()).then(
            number.str.head(number.str.len_chars() - fraction.str.len_chars()).str.replace_all(
                r"[.,]", ""
            )
        ),
        _fraction=fraction.str.slice(0, 9),
    )
    # Integer arithmetic only: whole * unit + fraction * unit, rounded half up.
    whole, zeros = pl.col("_whole"), pl.col("_zeros")
    scale = pl.lit(10, dtype=pl.Int64).pow(fraction.str.len_chars())
    unit_factor = pl.lit(10, dtype=pl.Int64).pow(zeros)
    fraction_part = pl.when(fraction == "").then(0).otherwise(fraction.cast(pl.Int64, strict=False))
    income = pl.when(whole.str.len_chars() + zeros <= 15).then(
        whole.cast(pl.Int64, strict=False) * unit_factor
        + (fraction_part * unit_factor * 2 + scale) // (2 * scale)
    )
    return frame.with_columns(income=income).select(
        pl.col("income"),
        (pl.col("income").is_null() & pl.col("text").is_not_null()).alias("income_unreadable"),
    )


# --- names ----------------------------------------------------------------------------------

# Titles before a name, as words of the name key (lower case, punctuation gone). The Sasak noble
# titles Lalu and Baiq are not here: they are part of the name.
NAME_TITLES_BEFORE = (
    "h", "hj", "haji", "hajah", "hajjah", "kh", "drs", "dra", "dr", "ir", "prof",
    "bpk", "bapak", "pak", "ibu", "bu", "sdr", "sdri", "sdra", "tn", "ny", "nn",
    "ust", "ustadz", "ustaz", "ustadzah",
)  # fmt: skip
# Degrees after a name ("Ahmad S.Pd", "Ahmad, S.Pd., M.Pd"), as regexes over the name key's
# words: "S.Pd.I" became "s pd i" and "SPdI" "spdi", so a space between letters is optional.
NAME_DEGREES_AFTER = (
    r"s ?pd ?i", r"s ?pd ?sd", r"s ?pd", r"m ?pd", r"s ?e ?i", r"s ?e", r"s ?h ?i", r"s ?h",
    r"s ?kom", r"s ?t", r"s ?tp", r"s ?pt", r"s ?p", r"s ?ag", r"m ?ag", r"s ?sos", r"s ?ip",
    r"s ?kep", r"s ?ked", r"s ?kes", r"s ?farm", r"s ?si", r"s ?psi", r"s ?hut", r"s ?ak",
    r"s ?th", r"m ?si", r"m ?m", r"m ?h", r"m ?kes", r"m ?sc", r"a ?md ?kep", r"a ?md ?keb",
    r"a ?md ?kes", r"a ?md", r"a ?ma ?pd", r"a ?ma", r"lc", r"mba", r"ph ?d",
)  # fmt: skip
_TITLES_BEFORE = rf"^(?:(?:{'|'.join(NAME_TITLES_BEFORE)}) )+"
_DEGREES_AFTER = rf"(?: (?:{'|'.join(NAME_DEGREES_AFTER)}))+$"


def person_name(raw: pl.Series) -> pl.DataFrame:
    """Columns `name` and `name_key` (String).

    `name` is for display: whitespace and control characters collapsed, original case; null
    when the cell has no letter or digit. `name_key` is for matching: lower case, accents and
    punctuation gone ("Ma'ruf" is "maruf", "Nur-Aini" is "nur aini"), titles before the name
    (NAME_TITLES_BEFORE: H., Hj., Drs., Ibu…) and degrees after it (NAME_DEGREES_AFTER:
    S.Pd, A.Md…, also after a comma) removed, but never the name's first word before a degree
    nor its last word after a title: "Hj." alone keeps "hj", so the key of a name is never
    empty. Lalu and Baiq (Sasak nobility) stay. name_key(name_key(x)) == name_key(x).
    """
    return _on_distinct(raw, _person_name)


def _person_name(raw: pl.Series) -> pl.DataFrame:
    # Runs of whitespace other than one plain space become one space, and so do control
    # characters (a NUL cannot be stored in PostgreSQL).
    name = raw.str.replace_all(_SPACE_RUNS, " ").str.strip_chars()
    name = pl.select(pl.when(name.str.contains(_HAS_TEXT)).then(name)).to_series()
    lower = name.str.to_lowercase()
    # Accents: NFKD splits "é" into "e" and a combining mark. Only the few non-ASCII names
    # need it, and it is the slowest step, so it runs on those alone.
    accented = lower.str.contains(r"[^\x00-\x7f]").fill_null(False)
    if accented.any():
        plain = (
            lower.filter(accented)
            .str.normalize("NFKD")  # may bring capitals back: "ǅ" becomes "Dž"
            .str.replace_all(r"\p{M}", "")
            .str.to_lowercase()
        )
        lower = lower.scatter(accented.arg_true(), plain)
    key = (
        lower.str.replace_all(r"['`\u2018\u2019]", "")
        # Runs of anything but letters and digits become one space (single spaces stay as
        # they are, which is most of the runs and much faster).
        .str.replace_all(r"[^\p{L}\p{N} ][^\p{L}\p{N}]*| [^\p{L}\p{N}]+", " ")
        .str.strip_chars()
        .str.replace(_DEGREES_AFTER, "")
        .str.replace(_TITLES_BEFORE, "")
    )
    return pl.DataFrame({"name": name, "name_key": key})


# --- occupation -----------------------------------------------------------------------------

# First match wins, over the cell's words in lower case ("PETANI/PEKEBUN" is "petani pekebun").
_OCCUPATION_RULES = [
    (Occupation.BURUH_TANI_TEMBAKAU, r"buruh.* tembakau|tembakau.* buruh"),
    (Occupation.PETANI_TEMBAKAU, r"tembakau"),
    (Occupation.OJEK, r"ojek|ojeg|ojol|gojek|grab"),
    (Occupation.SOPIR, r"sopir|supir|driver|pengemudi"),
    (Occupation.BURUH_HARIAN_LEPAS, r"bhl|buruh harian|harian lepas|buruh lepas|kuli"),
    (Occupation.BURUH_TANI, r"buruh (?:tani|pertanian|perkebunan|kebun|sawah)"),
    (Occupation.NELAYAN, r"nelayan|perikanan|petambak"),
    (Occupation.PETERNAK, r"peternak|peternakan|ternak"),
    (Occupation.PETANI, r"petani|bertani|tani|pertanian"),
    (Occupation.PEKEBUN, r"pekebun|perkebunan|berkebun"),
    (Occupation.TUKANG, r"tukang|pengrajin|perajin|kerajinan|penjahit|montir"),
    (Occupation.PEDAGANG, r"pedagang|dagang|berdagang|wiraswasta|wirausaha|penjual|warung"),
    (Occupation.BURUH_HARIAN_LEPAS, r"buruh"),
]
_OCCUPATION_PATTERNS = [
    (re.compile(rf"\b(?:{words})\b"), code) for code, words in _OCCUPATION_RULES
]


def _occupation_code(text: str) -> str:
    if text.strip().lower() in Occupation.values:
        return text.strip().lower()
    words = " ".join(re.findall(r"[a-z]+", text.lower()))
    for pattern, code in _OCCUPATION_PATTERNS:
        if pattern.search(words):
            return code.value
    return Occupation.LAINNYA.value


def parse_occupation(raw: pl.Series) -> pl.Series:
    """An `Occupation` code for each cell; "lainnya" when empty or not recognised.

    Reads the codes themselves and the usual spellings: Dukcapil's "PETANI/PEKEBUN" is
    petani (most are farmers), "BURUH TANI/PERKEBUNAN" buruh_tani, anything with "tembakau"
    one of the two tobacco codes, "Tukang Ojek"/"Ojol" ojek, "Supir" sopir, "BHL" and a plain
    "Buruh" buruh_harian_lepas, "Pengrajin" and every "Tukang …" tukang. Dukcapil's
    "WIRASWASTA" (self-employed) is pedagang: among BPU workers it is mostly small trade and
    warung, and neither code is a tobacco or transport code, so no eligibility depends on it.
    Python sees each distinct spelling once; the column is then mapped in one pass.
    """
    text = raw.cast(pl.String)
    spellings = text.drop_nulls().unique().to_list()
    return text.replace_strict(
        {spelling: _occupation_code(spelling) for spelling in spellings},
        default=Occupation.LAINNYA.value,
        return_dtype=pl.String,
    ).alias("occupation")


# --- desil, flags, phone --------------------------------------------------------------------


def parse_desil(raw: pl.Series) -> pl.Series:
    """The desil 1..10 (Int8) from "3", "3.0", "Desil 3", "D3"; null otherwise."""
    return _on_distinct(raw, _parse_desil).to_series()


def _parse_desil(raw: pl.Series) -> pl.DataFrame:
    number = (
        pl.col("text")
        .str.to_lowercase()
        .str.extract(r"^(?:desil|d)?\s*[-:]?\s*(\d{1,2})(?:[.,]0+)?$", 1)
        .cast(pl.Int8, strict=False)
    )
    desil = pl.col("desil")
    return (
        _frame(raw)
        .select(number.alias("desil"))
        .select(pl.when(desil.is_between(1, 10)).then(desil).alias("desil"))
    )


_TRUE = ["ya", "y", "iya", "yes", "ada", "1", "1.0", "true", "benar", "v", "x", "✓", "✔", "√"]
_FALSE = [
    "tidak", "tdk", "tak", "t", "tidak ada", "bukan", "no", "n", "0", "0.0", "false", "salah",
]  # fmt: skip


def parse_flag(raw: pl.Series) -> pl.Series:
    """True for Ya/Y/Iya/Ada/1/True/✓/√/v/x (any case); False for anything else, including
    Tidak/T/0/False/"-" and empty cells."""
    return parse_flag_answer(raw).fill_null(False)


def parse_flag_answer(raw: pl.Series) -> pl.Series:
    """True for the yes words of `parse_flag`, False for Tidak/Tdk/T/Tidak ada/Bukan/No/N/0/
    False/Salah (any case), null for anything else: an empty cell, "-" or words that answer
    neither way ("entah"), which an import does not take as an answer."""
    word = pl.col("raw").str.strip_chars().str.to_lowercase()
    return (
        pl.DataFrame({"raw": raw.cast(pl.String)})
        .select(
            pl.when(word.is_in(_TRUE)).then(True).when(word.is_in(_FALSE)).then(False).alias("flag")
        )
        .to_series()
    )


def clean_phone(raw: pl.Series) -> pl.Series:
    """The phone number as digits starting with 0, or null.

    Only the first of several numbers ("0812… / 0819…") counts. "+62"/"62"/"0062" become "0";
    a number cell that lost its leading 0 ("81234567890", "81234567890.0") gets it back. The
    result must have 9 to 15 digits.
    """
    return _on_distinct(raw, _clean_phone).to_series()


def _clean_phone(raw: pl.Series) -> pl.DataFrame:
    text = raw.cast(pl.String).str.strip_chars().str.replace(_INTEGRAL_FLOAT, "${1}")
    digits = (
        pl.col("raw")
        .str.replace(r"\s*(?:[/,;&]|\batau\b|\bdan\b).*$", "")
        .str.replace_all(r"\D", "")
        .str.replace(r"^(?:00)?62", "0")
        .str.replace(r"^8", "08")
    )
    phone = pl.col("phone")
    return (
        pl.DataFrame({"raw": _expand_scientific(text)})
        .select(digits.alias("phone"))
        .select(pl.when(phone.str.len_chars().is_between(9, 15)).then(phone).alias("phone"))
    )
