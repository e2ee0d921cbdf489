"""Indonesian formats for numbers, money and dates, and NIK masking: plain functions for every
layer (exports, PDFs, commands, queries). `ui/templatetags/lindung_format.py` re-exports them as
the template filters `angka`, `rupiah`, `tanggal`, `waktu`, `persen` and `nik_for`.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import pgettext

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
