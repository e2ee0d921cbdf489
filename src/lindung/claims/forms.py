"""The forms of the claims pages: reporting an event, opening a claim, the file (documents,
form dates, months off), the heirs, and each step to BPJS and back."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.claims.models import Cause, ClaimKind, ClaimState, EventKind, Relation
from lindung.rules.national import SCHOOL_LEVELS
from lindung.ui.fields import RupiahField

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=_DATE, help_text=help_text,
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
    )  # fmt: skip


def _choices(field: forms.Field, choices: list[tuple[Any, Any]]) -> None:
    field.choices = choices  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    """A death or an accident of a worker, as the village heard of it."""

    kind = forms.ChoiceField(
        label=_("What happened"), choices=EventKind.choices, widget=forms.RadioSelect
    )
    occurred_on = _date_field(_("Date"))
    occurred_at = forms.TimeField(
        label=_("Time (if known)"), required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("The 2 x 24 hours of form KK1 run from it."),
    )  # fmt: skip
    place = forms.CharField(label=_("Place"), max_length=200)
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("What happened, briefly"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def clean_occurred_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class OpenClaimForm(forms.Form):
    kind = forms.ChoiceField(label=_("Benefit to claim"))
    months_off = forms.IntegerField(
        label=_("Months off work (STMB)"), min_value=1, max_value=120, required=False
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self.fields["kind"], [(k, ClaimKind(k).label) for k in kinds])
        if ClaimKind.STMB not in kinds:
            del self.fields["months_off"]


class FileForm(forms.Form):
    """The documents received and the dates of the forms (the deadlines run from them)."""

    documents = forms.MultipleChoiceField(
        label=_("Documents received"), required=False, widget=forms.CheckboxSelectMultiple
    )
    kk1_sent_at = forms.DateTimeField(
        label=_("Form KK1 sent"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )  # fmt: skip
    doctor_statement_on = _date_field(_("Doctor's final statement"), required=False)
    kk2_sent_at = forms.DateTimeField(
        label=_("Form KK2 sent"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )  # fmt: skip
    months_off = forms.IntegerField(
        label=_("Months off work (STMB)"), min_value=1, max_value=120, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(
        self, *args: Any, documents: list[tuple[str, str]], jkk: bool, stmb: bool, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        _choices(self.fields["documents"], documents)
        if not jkk:
            for name in ("kk1_sent_at", "doctor_statement_on", "kk2_sent_at"):
                del self.fields[name]
        if not stmb:
            del self.fields["months_off"]


class HeirForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("Relation"), required=False, choices=[("", "—"), *Relation.choices]
    )
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    nik = forms.CharField(label="NIK", max_length=16, min_length=16, required=False)
    birth_date = _date_field(_("Birth date"), required=False)
    school_level = forms.ChoiceField(
        label=_("School level (scholarship)"),
        required=False,
        choices=[("", "—"), *((level, level) for level in SCHOOL_LEVELS)],
    )

    def clean_nik(self) -> str:
        nik: str = (self.cleaned_data.get("nik") or "").strip()
        if nik and not nik.isdigit():
            raise forms.ValidationError(_("A NIK has 16 digits."))
        return nik

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name") and not data.get("relation"):
            self.add_error("relation", _("Choose the relation."))
        if data.get("relation") and not data.get("name"):
            self.add_error("name", _("Enter the name."))
        return data


HeirFormSet = forms.formset_factory(HeirForm, extra=0, min_num=4, max_num=10)


class SubmitForm(forms.Form):
    submitted_on = _date_field(_("Submitted to BPJS on"))
    bpjs_number = forms.CharField(label=_("BPJS claim number"), max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {"submitted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PaidForm(forms.Form):
    paid_on = _date_field(_("Date paid"))
    amount = RupiahField(label=_("Amount paid"), min_value=None)
    bpjs_number = forms.CharField(label=_("BPJS claim number"), max_length=40, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why BPJS refused"), max_length=300)


class ClaimFilterForm(forms.Form):
    tahun = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False)
    status = forms.ChoiceField(label=_("State"), required=False)
    jenis = forms.ChoiceField(label=_("Benefit"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self.fields["tahun"], [("", _("All")), *((y, str(y)) for y in years)])
        _choices(self.fields["status"], [("", _("All")), *ClaimState.choices])
        _choices(self.fields["jenis"], [("", _("All")), *ClaimKind.choices])
