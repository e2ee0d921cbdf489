"""The claim report upload form: the file."""

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


class ReportForm(forms.Form):
    file = forms.FileField(
        label=_("The branch's claim report (XLSX, XLS, ODS or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(
                _("Upload the claim report as an XLSX, XLS, ODS or CSV file."), code="suffix"
            )
        return upload
