from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.rules.policy import Policy


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
            self.fields[f"budget_{source.code}"] = forms.IntegerField(
                label=_("Budget %(source)s (Rp)") % {"source": source.label},
                min_value=0,
                initial=source.annual_budget,
            )

    def budgets(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"budget_{code}"] for code in self.sources}


class ApproveForm(forms.Form):
    """Approving a scenario as the beneficiary list: the decree it is annexed to and a note."""

    decree = forms.CharField(
        label=_("Decree number (SK Bupati)"),
        max_length=100,
        required=False,
        help_text=_("Can be filled in later on a revision if the number is not known yet."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a revision: why the approved list changes."),
    )
