from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.dashboard.models import State
from lindung.dashboard.queries import Filters
from lindung.registry.models import Occupation, Sex

# The map colours the child areas by one of these.
INDICATORS = [
    ("protected", _("Workers protected today")),
    ("sponsored", _("Sponsored workers")),
    ("enrolled", _("Workers enrolled with BPJS")),
    ("registered", _("Registered workers")),
    ("eligible", _("Eligible workers")),
    ("covered_share", _("Share of eligible workers covered")),
]


class FilterForm(forms.Form):
    """The dashboard's filters, read from the query string (so a view can be shared)."""

    area = forms.CharField(required=False, widget=forms.HiddenInput)
    tahun = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False)
    sumber = forms.ChoiceField(label=_("Funding source"), required=False)
    pekerjaan = forms.ChoiceField(
        label=_("Occupation"),
        required=False,
        choices=[("", _("All occupations")), *Occupation.choices],
    )
    jk = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("Both sexes")), *Sex.choices]
    )
    indikator = forms.ChoiceField(label=_("Map colour"), required=False, choices=INDICATORS)

    def __init__(self, data: Any, *, state: State) -> None:
        years = state.years()
        default_year = state.default_fiscal_year()
        if not (data or {}).get("tahun"):  # show the year the figures are for
            data = data.copy() if hasattr(data, "copy") else dict(data or {})
            data["tahun"] = str(default_year)
        super().__init__(data)
        self.default_year = default_year
        year_field, source_field = self.fields["tahun"], self.fields["sumber"]
        assert isinstance(year_field, forms.ChoiceField)  # noqa: S101 - declared above
        assert isinstance(source_field, forms.ChoiceField)  # noqa: S101 - declared above
        year_field.choices = [(y, str(y)) for y in years]
        source_field.choices = [
            ("", _("All sources")),
            *sorted(state.labels.items()),
        ]

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            fiscal_year=data.get("tahun") or self.default_year,
            source=data.get("sumber") or "",
            occupation=data.get("pekerjaan") or "",
            sex=data.get("jk") or "",
        )

    def indicator(self) -> str:
        """The map's colour: as asked, else the headline, the workers protected today (for
        this year's figures; another year has none protected today, so its funded workers)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("indikator"):
            return str(data["indikator"])
        this_year = self.filters().fiscal_year == timezone.localdate().year
        return "protected" if this_year else "sponsored"

    def area_code(self) -> str:
        data = self.cleaned_data if self.is_valid() else {}
        return str(data.get("area") or "")
