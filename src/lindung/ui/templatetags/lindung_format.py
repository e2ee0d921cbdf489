"""Indonesian formats for numbers, money and dates: the one set of filters every template uses.

{{ 1234567|angka }}        1.234.567
{{ 1234567|rupiah }}       Rp1.234.567
{{ some_date|tanggal }}    28 Mei 2024   (month names follow the active language)
{{ some_dt|waktu }}        28 Mei 2024 14.05 WITA
{{ 0.3568|persen }}        35,68%
{{ nik|nik_for:user }}     full NIK, or 5203********0001 for roles without VIEW_NIK
"""

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import pgettext

from lindung.accounts.roles import Capability

register = template.Library()
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


@register.filter
def angka(value: Any, decimals: int = 0) -> str:
    return format_number(value, decimals)


@register.filter
def rupiah(value: Any) -> str:
    return format_rupiah(value)


@register.filter
def tanggal(value: Any) -> str:
    return format_date(value)


@register.filter
def waktu(value: Any) -> str:
    return format_datetime(value)


@register.filter
def persen(value: Any, decimals: int = 2) -> str:
    if value is None or value == "":
        return EMPTY
    return format_number(float(value) * 100, decimals) + "%"


@register.filter
def nik_for(value: Any, user: Any) -> str:
    can_view = getattr(user, "can", None)
    if can_view is not None and can_view(Capability.VIEW_NIK):
        return str(value or "")
    return mask_nik(str(value or ""))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ urls|get_item:code }}`: a dict's value for a key computed in the template."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
