"""The forms of the billing pages: the bill list's filters, making bills, each action on a bill,
the coverage page's date and kecamatan."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.billing import receipts, services
from lindung.billing.models import BillState
from lindung.billing.states import BillingError
from lindung.ui.fields import RupiahField

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=_DATE,
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
    )


def _choices(field: forms.Field, choices: list[tuple[Any, Any]]) -> None:
    field.choices = choices  # type: ignore[attr-defined]


# --- the bill list --------------------------------------------------------------------------------
class BillFilterForm(forms.Form):
    """The bill list's filters (a GET form: the query string is the state)."""

    tahun = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False)
    sumber = forms.ChoiceField(label=_("Funding source"), required=False)
    status = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, years: list[int], labels: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self.fields["tahun"], [(year, str(year)) for year in years])
        _choices(self.fields["sumber"], [("", _("All")), *labels.items()])
        _choices(self.fields["status"], [("", _("All")), *BillState.choices])


class MakeBillsForm(forms.Form):
    """Bills for the registered participants of a fiscal year (`services.make_bills`)."""

    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    source = forms.ChoiceField(label=_("Funding source"), required=False)
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=20,
        help_text=_(
            "Optional, as YYYY-MM..YYYY-MM (1, 3, 6 or 12 months). Empty: the year in each "
            "source's months per bill."
        ),
    )

    def __init__(self, *args: Any, labels: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self.fields["source"], [("", _("Every source")), *labels.items()])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("period") or "").strip()
        data["parsed_period"] = None
        if text and data.get("fiscal_year"):
            try:
                data["parsed_period"] = services.parse_period(text, data["fiscal_year"])
            except BillingError as error:
                self.add_error("period", error.message)
        data["period"] = text
        return data


# --- actions on a bill ----------------------------------------------------------------------------
class IssueForm(forms.Form):
    """The branch billed it (DITAGIH)."""

    bpjs_number = forms.CharField(label=_("BPJS bill number"), max_length=40)
    assessment_code = forms.CharField(label=_("Assessment code"), max_length=40, required=False)
    billed_on = _date_field(_("Billing date"))
    due_date = _date_field(_("Due date"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {"billed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class Sp2dForm(forms.Form):
    """The treasury's order to pay (SP2D)."""

    number = forms.CharField(label=_("SP2D number"), max_length=60)
    date = _date_field(_("SP2D date"))


class PaymentForm(forms.Form):
    """Money paid against the bill, with its receipt."""

    amount = RupiahField(label=_("Amount paid"), min_value=None)
    paid_on = _date_field(_("Date paid"))
    sp2d = forms.CharField(label=_("SP2D number"), max_length=60, required=False)
    reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)
    receipt = forms.FileField(
        label=_("Receipt (PDF, JPG or PNG, at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_receipt(self) -> Any:
        upload = self.cleaned_data.get("receipt")
        if upload:
            problem = receipts.check(upload)
            if problem:
                raise forms.ValidationError(problem, code="receipt")
        return upload


class DelayForm(forms.Form):
    """The sponsor's funds are late (or no longer)."""

    delayed = forms.BooleanField(label=_("The funds are late"), required=False)
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        required=False,
        help_text=_("For example: APBD-P not yet passed."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300, required=False)


class ClaimRefundsForm(forms.Form):
    """No fields: the months to claim are those `services.refunds_due` finds."""


class ReceiveRefundForm(forms.Form):
    received_on = _date_field(_("Date received"))
    reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)


class ReconcileForm(forms.Form):
    """The branch's recap compared by hand."""

    MATCHES = "cocok"
    DIFFERS = "selisih"
    outcome = forms.ChoiceField(
        label=_("The branch's recap"),
        choices=[(MATCHES, _("agrees: reconciled")), (DIFFERS, _("differs: amount differs"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


# --- the coverage page ----------------------------------------------------------------------------
class CoverageForm(forms.Form):
    """The coverage page's date and kecamatan (GET). The kecamatan to choose from are those
    counted on the date: `day()` first, then `choose_from(...)`, then `is_valid()`."""

    tanggal = _date_field(_("Date"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)

    def day(self) -> datetime.date:
        """The date asked for (today when none or unreadable)."""
        try:
            chosen = self.fields["tanggal"].clean(self.data.get("tanggal") or None)
        except forms.ValidationError:
            chosen = None
        return chosen or timezone.localdate()

    def choose_from(self, kecamatan: dict[str, str]) -> None:
        _choices(self.fields["kecamatan"], [("", _("All")), *kecamatan.items()])
