"""The public check's form: a NIK and a birth date, never written back into the page."""

import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What people type between the digits of a NIK copied from a KTP: spaces, dots, dashes.
_SEPARATORS = re.compile(r"[\s.\-]")
# The browser's date input sends 1985-08-17; typed by hand: 17-08-1985, 17/08/1985, 17.08.1985.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
OLDEST = datetime.date(1900, 1, 1)


class _Unechoed(forms.TextInput):
    """A text input that never carries the typed value back into the page (a desa office's
    shared computer, a screenshot): after a check or an error the field is empty again."""

    def format_value(self, value: Any) -> str | None:
        return None


class _UnechoedDate(forms.DateInput):
    def format_value(self, value: Any) -> str | None:
        return None


class CheckForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK (16 digits, as on your KTP)"),
        max_length=40,
        widget=_Unechoed(
            attrs={"inputmode": "numeric", "autocomplete": "off", "data-testid": "cek-nik"}
        ),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        input_formats=DATE_FORMATS,
        help_text=_("Day, month and year, for example 17-08-1985."),
        error_messages={"invalid": _("Type the birth date as day-month-year, e.g. 17-08-1985.")},
        widget=_UnechoedDate(
            attrs={
                "type": "date",
                "min": OLDEST.isoformat(),
                "autocomplete": "off",
                "data-testid": "cek-birth-date",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_nik(self) -> str:
        nik = _SEPARATORS.sub("", self.cleaned_data["nik"])
        if not re.fullmatch(r"\d{16}", nik):
            raise forms.ValidationError(_("Type the 16 digits of your NIK."), code="invalid")
        return nik

    def clean_birth_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["birth_date"]
        if not OLDEST <= day <= timezone.localdate():
            raise forms.ValidationError(
                _("Type the birth date as day-month-year, e.g. 17-08-1985."), code="invalid"
            )
        return day
