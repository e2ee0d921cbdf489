"""The forms of the enrollment pages: the fiscal year shown, a registration batch to make, the
branch's answer to upload."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.enrollment.batches import parse_start
from lindung.enrollment.models import Kind, Wadah
from lindung.enrollment.services import EnrollmentError
from lindung.targeting.lists import current_list

ANSWER_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")

if TYPE_CHECKING:
    _ModelChoice = forms.ModelChoiceField[Wadah]
else:  # not subscriptable at run time
    _ModelChoice = forms.ModelChoiceField


class YearForm(forms.Form):
    """The overview's fiscal year (a GET form: the query string is the state)."""

    tahun = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tahun"].choices = [(year, str(year)) for year in years]  # type: ignore[attr-defined]


class WadahChoice(_ModelChoice):
    def label_from_instance(self, obj: Wadah) -> str:
        return f"{obj.code} — {obj.name}"


class BatchForm(forms.Form):
    """A registration batch of the list in force of `fiscal_year`: a wadah's candidates of one
    kind, protected from the start month."""

    fiscal_year = forms.IntegerField(widget=forms.HiddenInput)
    wadah = WadahChoice(label=_("Wadah"), queryset=Wadah.objects.filter(active=True))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.NEW)
    start = forms.CharField(
        label=_("Start month"),
        max_length=7,
        help_text=_("The first month paid, as year-month, for example 2027-01."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year = data.get("fiscal_year")
        if year is None:
            return data
        wadah = data.get("wadah")
        # The list in force of the wadah's kabupaten/kota (each has its own lists and wadah).
        data["approved"] = current_list(year, wadah.kabupaten) if wadah is not None else None
        if wadah is None:
            return data
        if data["approved"] is None:
            raise forms.ValidationError(
                _("No beneficiary list is approved for fiscal year %(year)s.") % {"year": year}
            )
        if data.get("start"):
            try:
                data["start_date"] = parse_start(data["start"], year)
            except EnrollmentError as error:
                self.add_error("start", error.message)
        return data


class AnswerForm(forms.Form):
    """The branch's answer to a batch: any spreadsheet it sends."""

    file = forms.FileField(
        label=_("The branch's answer (XLSX, XLS, ODS or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ANSWER_SUFFIXES)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ANSWER_SUFFIXES:
            raise forms.ValidationError(
                _("Upload the answer as an XLSX, XLS, ODS or CSV file."), code="suffix"
            )
        return upload
