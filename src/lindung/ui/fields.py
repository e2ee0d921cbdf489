"""Form fields shared by the apps' forms. `RupiahField`: money as people type it.

The field reads what `lindung.formats.parse_rupiah` reads (`2.500.000`, `Rp2,5 juta`, `12 M`)
into whole rupiah and says in Indonesian what is wrong. Its widget is a text input with
`inputmode="numeric"` that shows an amount as `2.500.000`; with `words=True` (budgets) the amount
in words ("dua belas miliar rupiah") is written beside it on the server. `static/lindung/money.js`
adds the thousands separators and updates the words while typing; without it the field still
works.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.formats import MAX_RUPIAH, format_number, format_rupiah, parse_rupiah, terbilang


class RupiahInput(forms.TextInput):
    template_name = "ui/widgets/rupiah.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, words: bool = False) -> None:
        super().__init__(
            {"inputmode": "numeric", "autocomplete": "off", "data-rupiah": "", **(attrs or {})}
        )
        self.words = words

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return format_number(value)
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["words"] = _words(value) if self.words else None
        return context


def _words(value: Any) -> str:
    """The amount in words, or nothing while the value is empty or unreadable."""
    if value is None or value == "":
        return ""
    try:
        amount = value if isinstance(value, int) else parse_rupiah(str(value))
        return terbilang(amount)
    except ValueError:
        return ""


class RupiahField(forms.Field):
    """Whole rupiah (an int) from text as people type it; at least `min_value` (0 by default)."""

    widget = RupiahInput

    def __init__(
        self,
        *,
        min_value: int | None = 0,
        max_value: int | None = None,
        words: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", RupiahInput(words=words))
        super().__init__(**kwargs)
        self.min_value = min_value
        self.max_value = min(max_value, MAX_RUPIAH) if max_value is not None else MAX_RUPIAH

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return parse_rupiah(str(value))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise forms.ValidationError(
                _("The amount must be at least %(limit)s."),
                code="min_value",
                params={"limit": format_rupiah(self.min_value)},
            )
        if value > self.max_value:
            raise forms.ValidationError(
                _("The amount must be at most %(limit)s."),
                code="max_value",
                params={"limit": format_rupiah(self.max_value)},
            )
