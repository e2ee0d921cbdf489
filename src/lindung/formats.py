"""Indonesian formats for numbers, money and dates, and NIK masking: plain functions for every
layer (exports, PDFs, commands, queries). `ui/templatetags/lindung_format.py` re-exports them as
the template filters `angka`, `rupiah`, `tanggal`, `waktu`, `persen` and `nik_for`.

Money as people type it: `parse_rupiah` reads `2.500.000`, `Rp 2.500.000,-`, `Rp2,5 juta`,
`12 M`, `750 rb` into whole rupiah, `terbilang` writes an amount in words ("dua belas miliar
rupiah"). `static/lindung/money.js` does the same in the browser; keep the two in step.
"""

import re
from datetime import date, datetime
from fractions import Fraction

from django.utils import timezone
from django.utils.translation import gettext, pgettext

EMPTY = "\N{EN DASH}"  # shown for a missing value


def format_number(value: int | float | str | None, decimals: int = 0) -> str:
    if value is None or value == "":
        return EMPTY
    text = f"{float(value):,.{decimals}f}" if decimals else f"{int(value):,}"
    # Python formats 1,234.5; Indonesian writes 1.234,5
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_rupiah(value: int | str | None) -> str:
    if value is None or value == "":
        return EMPTY
    amount = int(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{format_number(abs(amount))}"


def month_name(month: int) -> str:
    names = [
        pgettext("month", "January"),
        pgettext("month", "February"),
        pgettext("month", "March"),
        pgettext("month", "April"),
        pgettext("month", "May"),
        pgettext("month", "June"),
        pgettext("month", "July"),
        pgettext("month", "August"),
        pgettext("month", "September"),
        pgettext("month", "October"),
        pgettext("month", "November"),
        pgettext("month", "December"),
    ]
    return names[month - 1]


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {month_name(value.month)} {value.year}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return EMPTY
    local = timezone.localtime(value)
    return f"{format_date(local)} {local:%H.%M} {local.tzname() or ''}".rstrip()


def mask_nik(value: str) -> str:
    """Keep the region part and the last 4 digits: enough to tell rows apart, not to identify."""
    text = str(value or "")
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


# --- money as people type it ---------------------------------------------------------------------

MAX_RUPIAH = 10**15 - 1  # below one kuadriliun: more than any budget, within a BigIntegerField
UNITS = {
    "rb": 10**3,
    "ribu": 10**3,
    "k": 10**3,
    "jt": 10**6,
    "juta": 10**6,
    "m": 10**9,
    "miliar": 10**9,
    "milyar": 10**9,
    "t": 10**12,
    "triliun": 10**12,
    "trilyun": 10**12,
}
_MINUS = ("-", "\N{MINUS SIGN}", "\N{EN DASH}")
_PREFIX = re.compile(r"^(?:rp\.?|idr)\s*")
_SUFFIX = re.compile(r"\s*(?:[.,]-|rupiah)$")
_AMOUNT = re.compile(r"^(?P<number>\d(?:[\d.,]*\d)?)\s*(?P<unit>[^\d\s.,]\S*)?$")


def parse_rupiah(text: str) -> int:
    """Whole rupiah from an amount as people type it; ValueError says what is wrong.

    Dots group thousands and a comma starts decimals (Indonesian); an English `2,500,000` or
    `2,500,000.00` is read too, but `2.5` or `2,500`, which read both ways, are refused. A unit
    (rb/ribu, jt/juta, M/miliar, T/triliun) multiplies: `1,5 miliar` is 1.500.000.000.
    """
    raw = " ".join(str(text).replace("\N{NO-BREAK SPACE}", " ").split())
    shown = raw if len(raw) <= 30 else raw[:29] + "\N{HORIZONTAL ELLIPSIS}"
    value = raw.lower()
    if not value:
        raise ValueError(gettext("Enter an amount in rupiah."))
    negative = value.startswith(_MINUS)
    value = _PREFIX.sub("", value.lstrip("".join(_MINUS)).lstrip())
    if negative or value.startswith(_MINUS):
        raise ValueError(gettext("The amount cannot be negative."))
    match = _AMOUNT.match(_SUFFIX.sub("", value))
    if match is None:
        raise ValueError(
            gettext(
                "“%(text)s” is not an amount of rupiah; for example 2.500.000, Rp2,5 juta or 12 M."
            )
            % {"text": shown}
        )
    unit = match["unit"] or ""
    if unit and unit not in UNITS:
        raise ValueError(
            gettext("Unknown unit “%(unit)s”: write rb/ribu, jt/juta, M/miliar or T/triliun.")
            % {"unit": raw[raw.lower().rfind(unit) :][: len(unit)] or unit}
        )
    whole, decimals = _number(match["number"], shown)
    amount = Fraction(int(whole + decimals), 10 ** len(decimals)) * UNITS.get(unit, 1)
    if amount.denominator != 1:
        raise ValueError(
            gettext("“%(text)s” has a fraction of a rupiah; amounts are whole rupiah.")
            % {"text": shown}
        )
    if amount > MAX_RUPIAH:
        raise ValueError(
            gettext("The amount is too large: at most %(max)s.")
            % {"max": format_rupiah(MAX_RUPIAH)}
        )
    return int(amount)


def _grouped(number: str, separator: str) -> bool:
    """1 to 3 digits, then groups of exactly 3 after each separator: 2.500.000."""
    head, *groups = number.split(separator)
    return 1 <= len(head) <= 3 and all(len(group) == 3 for group in groups)


def _number(number: str, shown: str) -> tuple[str, str]:
    """The digits before and after the decimal separator of `number` (digits, dots, commas)."""
    dots, commas = number.count("."), number.count(",")
    if not dots and not commas:
        return number, ""
    if dots and commas:  # the last one is the decimal separator, the other groups thousands
        decimal = "." if number.rindex(".") > number.rindex(",") else ","
        group = "," if decimal == "." else "."
        head, _, tail = number.rpartition(decimal)
        if decimal not in head and _grouped(head, group):
            return head.replace(group, ""), tail
    elif dots:  # 2.500.000; never 2.5
        if _grouped(number, "."):
            return number.replace(".", ""), ""
    elif commas > 1:  # 2,500,000 written the English way
        if _grouped(number, ","):
            return number.replace(",", ""), ""
    else:  # 2,5 juta; 2,500 could be two and a half or two thousand five hundred
        head, _, tail = number.partition(",")
        if len(tail) != 3:
            return head, tail
    raise ValueError(
        gettext(
            "The separators in “%(text)s” "
            "are unclear: write thousands with dots and decimals with a comma, for example "
            "2.500.000 or 2,5 juta."
        )
        % {"text": shown}
    )


_ONES = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ("", "ribu", "juta", "miliar", "triliun")


def _below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = ["seratus"] if hundreds == 1 else [f"{_ONES[hundreds]} ratus"] if hundreds else []
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif 11 < rest < 20:
        words.append(f"{_ONES[rest - 10]} belas")
    else:
        tens, ones = divmod(rest, 10)
        words += [f"{_ONES[tens]} puluh"] if tens else []
        words += [_ONES[ones]] if ones else []
    return words


def terbilang(amount: int) -> str:
    """An amount in Indonesian words, as on a cheque or a decree: 12000000000 -> "dua belas
    miliar rupiah", 2001500 -> "dua juta seribu lima ratus rupiah". Up to MAX_RUPIAH.

    (num2words writes "dua juta satu ribu lima ratus", which is not how it is said.)"""
    if amount < 0:
        raise ValueError(gettext("The amount cannot be negative."))
    if amount > MAX_RUPIAH:
        raise ValueError(
            gettext("The amount is too large: at most %(max)s.")
            % {"max": format_rupiah(MAX_RUPIAH)}
        )
    if amount == 0:
        return "nol rupiah"
    words: list[str] = []
    groups = f"{amount:,}".split(",")
    for scale, group in zip(reversed(_SCALES[: len(groups)]), map(int, groups), strict=True):
        if group == 1 and scale == "ribu":
            words.append("seribu")
        elif group:
            words += [*_below_thousand(group), *([scale] if scale else [])]
    return " ".join([*words, "rupiah"])
