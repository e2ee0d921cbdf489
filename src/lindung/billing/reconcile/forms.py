"""The recap upload form: the file and the fiscal year it is compared with."""

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


class RecapForm(forms.Form):
    file = forms.FileField(
        label=_("The branch's recap (XLSX, XLS, ODS or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["fiscal_year"]
        field.choices = [(year, str(year)) for year in years]  # type: ignore[attr-defined]
        field.initial = years[0] if years else None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(
                _("Upload the recap as an XLSX, XLS, ODS or CSV file."), code="suffix"
            )
        return upload
