from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.rules.policy import Policy
from lindung.ui.fields import RupiahField


class RunForm(forms.Form):
    """A scenario to run: the year, a name, and a budget per funding source of the policy."""

    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    supplement = forms.BooleanField(
        label=_("Supplement to the approved list of the year"),
        required=False,
        help_text=_(
            "Workers on the approved list count as already sponsored; the budgets cover more "
            "workers on top of it (for example with a mid-year budget)."
        ),
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = [s.code for s in policy.sources]
        for source in policy.sources:
            self.fields[f"budget_{source.code}"] = RupiahField(
                label=_("Budget %(source)s (Rp)") % {"source": source.label},
                initial=source.annual_budget,
                words=True,
            )

    def budgets(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"budget_{code}"] for code in self.sources}


class ApproveForm(forms.Form):
    """Approving a scenario as the beneficiary list: the decree it is annexed to and a note."""

    decree = forms.CharField(
        label=_("Decree number (SK Bupati)"),
        max_length=100,
        required=False,
        help_text=_("Can be entered later on the list's page, once the decree is signed."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a revision: why the approved list changes."),
    )


class DecreeForm(forms.Form):
    """The decree (SK) an approved list is annexed to, entered once it is signed."""

    decree = forms.CharField(label=_("Decree number"), max_length=100, required=False)
    decree_date = forms.DateField(
        label=_("Decree date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    decree_subject = forms.CharField(
        label=_("Subject (TENTANG)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Empty: the deployment's default subject with the fiscal year."),
    )
