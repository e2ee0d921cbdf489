from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.rules.policy import Policy


class RunForm(forms.Form):
    """A scenario to run: the year, a name, and a budget per funding source of the policy."""

    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)

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
