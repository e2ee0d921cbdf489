"""Indonesian formats for numbers, money and dates: the one set of filters every template uses.

The functions live in `lindung.formats` (Python code imports them from there); these are
their template filters.

{{ 1234567|angka }}        1.234.567
{{ 1234567|rupiah }}       Rp1.234.567
{{ some_date|tanggal }}    28 Mei 2024   (month names follow the active language)
{{ some_dt|waktu }}        28 Mei 2024 14.05 WITA
{{ 0.3568|persen }}        35,68%
{{ nik|nik_for:user }}     full NIK, or 5203********0001 for roles without VIEW_NIK
"""

from typing import Any

from django import template

from lindung.formats import (
    EMPTY,
    format_date,
    format_datetime,
    format_number,
    format_rupiah,
    mask_nik,
)
from lindung.roles import Capability

register = template.Library()


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
