import datetime
import re
import tomllib
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.regions.models import Level, RegionType
from lindung.regions.queries import visible_regions
from lindung.registry.models import Occupation, WorkerStatus
from lindung.rules.calculators import SECTORS
from lindung.rules.national import FUNDING, SCHOOL_LEVELS, RulesError, parse_month, rules_for
from lindung.rules.policy import BILLING_MONTHS, QUOTA_BOUNDS, Policy
from lindung.ui.fields import RupiahField

if TYPE_CHECKING:
    from lindung.accounts.models import User

FUNDING_CHOICES = [
    ("mandiri", _("Self-paid (mandiri)")),
    ("apbd", _("Regency budget (APBD)")),
    ("apbd_provinsi", _("Provincial budget (APBD provinsi)")),
    ("dbhcht", _("Tobacco excise share (DBHCHT)")),
    ("apbdes", _("Village budget (APBDes)")),
    ("csr", _("CSR co-funding")),
]
assert {code for code, _label in FUNDING_CHOICES} == set(FUNDING)  # noqa: S101
PROGRAM_CHOICES = [("JKK", "JKK"), ("JKM", "JKM"), ("JHT", _("JHT (optional)"))]
SECTOR_CHOICES = [("", _("Other sectors")), *[(s, _("Transport")) for s in SECTORS]]
CHILD_CHOICES = [("", _("none")), *[(level, level) for level in SCHOOL_LEVELS]]


def _this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


class CalculatorForm(forms.Form):
    """The public calculator's GET form; its query string is the whole state."""

    income = RupiahField(label=_("Reported income per month (Rp)"))
    programs = forms.MultipleChoiceField(
        label=_("Programs"), choices=PROGRAM_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    month = forms.CharField(
        label=_("First month (YYYY-MM)"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"}),
    )
    funding = forms.ChoiceField(label=_("Paid by"), choices=FUNDING_CHOICES)
    sector = forms.ChoiceField(label=_("Sector"), choices=SECTOR_CHOICES, required=False)
    months = forms.TypedChoiceField(
        label=_("Months paid at once"),
        choices=[(n, str(n)) for n in (1, 3, 6, 12)],
        coerce=int,
    )
    months_off = forms.IntegerField(
        label=_("Months off work (STMB)"), min_value=1, max_value=120, required=False
    )
    contribution_years = forms.IntegerField(
        label=_("Years of contributions (JKM scholarship)"),
        min_value=0,
        max_value=80,
        required=False,
    )
    child_1 = forms.ChoiceField(
        label=_("School level of the first child"), choices=CHILD_CHOICES, required=False
    )
    child_2 = forms.ChoiceField(
        label=_("School level of the second child"), choices=CHILD_CHOICES, required=False
    )
    parts = forms.MultipleChoiceField(
        label=_("Body parts lost (partial disability)"),
        choices=[],
        required=False,
        help_text=_("Their percentages add up, at most the table's cap, x 80 x reported income."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table = rules_for(timezone.localdate()).partial_disability
        field = self.fields["parts"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - for mypy
        field.choices = [
            (p.code, f"{p.label} ({p.percent}%)") for p in (table.parts if table else ())
        ]

    @property
    def children(self) -> list[str]:
        return [c for c in (self.cleaned_data.get(f"child_{n}") for n in (1, 2)) if c]

    @staticmethod
    def defaults() -> dict[str, Any]:
        return {
            "income": 1_000_000,
            "programs": ["JKK", "JKM"],
            "month": _this_month(),
            "funding": "mandiri",
            "sector": "",
            "months": 1,
            "months_off": 12,
        }

    def clean_month(self) -> datetime.date:
        try:
            year, month = parse_month(self.cleaned_data["month"])
        except RulesError as error:
            raise forms.ValidationError(error.message) from error
        return datetime.date(year, month, 1)


_LINE = re.compile(r"at line (\d+)")


class VersionForm(forms.Form):
    """A new rules version as TOML text: a copy of the latest version, edited."""

    text = forms.CharField(
        label=_("Rules (TOML)"), widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"})
    )
    note = forms.CharField(label=_("Why this version"), max_length=500, required=False)

    error_line: int | None = None

    def clean_text(self) -> dict[str, Any]:
        text = self.cleaned_data["text"]
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            match = _LINE.search(str(error))
            self.error_line = int(match[1]) if match else None
            raise forms.ValidationError(
                _("The text is not valid TOML: %(error)s") % {"error": error}
            ) from error
        if "effective_from" not in data:
            raise forms.ValidationError(_("Set effective_from, for example 2026-07-01."))
        return data

    def numbered_lines(self) -> list[tuple[int, str, bool]]:
        """The submitted text with line numbers, the faulty line flagged."""
        text = str(self.data.get("text", ""))
        return [
            (number, line, number == self.error_line)
            for number, line in enumerate(text.splitlines(), start=1)
        ]


SCHOOL_LEVEL_CHOICES = [(level, level) for level in SCHOOL_LEVELS]


# --- the regency policy (Perbup) ------------------------------------------------------------------

OCCUPATION_CHOICES = Occupation.choices
_CHECKBOXES = forms.CheckboxSelectMultiple


class PolicyForm(forms.Form):
    """The policy's general fields, eligibility and priority weights (sources, age bands and
    quotas are formsets beside it)."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    note = forms.CharField(label=_("Why this version"), max_length=500, required=False)
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year for the preview"), min_value=2000, max_value=2100
    )
    jht = forms.BooleanField(label=_("Also pay JHT (old-age savings)"), required=False)
    reported_income = RupiahField(label=_("Reported income per month (Rp)"))
    coverage_months = forms.IntegerField(label=_("Months covered per fiscal year"))
    min_age = forms.IntegerField(label=_("Minimum age on 1 January"))
    max_age = forms.IntegerField(label=_("Maximum age on 1 January"))
    max_desil = forms.IntegerField(label=_("Highest desil"))
    missing_desil = forms.ChoiceField(
        label=_("Workers without a desil"),
        choices=[("exclude", _("Exclude")), ("include", _("Include"))],
    )
    statuses = forms.MultipleChoiceField(
        label=_("Statuses"), choices=WorkerStatus.choices, widget=_CHECKBOXES
    )
    occupations_included = forms.MultipleChoiceField(
        label=_("Only these occupations (none ticked: all)"),
        choices=OCCUPATION_CHOICES,
        widget=_CHECKBOXES,
        required=False,
    )
    occupations_excluded = forms.MultipleChoiceField(
        label=_("Never these occupations"),
        choices=OCCUPATION_CHOICES,
        widget=_CHECKBOXES,
        required=False,
    )
    w_desil = forms.IntegerField(label=_("Points per desil step below the highest"))
    w_female_head = forms.IntegerField(label=_("Points for a female head of household"))
    w_disability = forms.IntegerField(label=_("Points for a disability"))
    high_risk_occupations = forms.MultipleChoiceField(
        label=_("High-risk occupations"),
        choices=OCCUPATION_CHOICES,
        widget=_CHECKBOXES,
        required=False,
    )
    w_high_risk = forms.IntegerField(label=_("Points for a high-risk occupation"))
    w_nomination = forms.IntegerField(label=_("Points for a nomination by the desa"))
    proportional_to_population = forms.BooleanField(
        label=_("Share the places in proportion to population"), required=False
    )
    sponsor_self_paying = forms.BooleanField(
        label=_("Also sponsor workers who already pay BPJS TK themselves (mandiri)"),
        required=False,
    )
    other_region_nik = forms.ChoiceField(
        label=_("A NIK issued in another regency, when registering with BPJS"),
        choices=[
            ("allow", _("Send as any other")),
            ("warn", _("Send with a warning")),
            ("refuse", _("Hold back")),
        ],
        required=False,  # an older form without it keeps the default
    )


class SourceForm(forms.Form):
    # The empty first choice keeps the blank extra row unchanged, so the formset skips it.
    code = forms.ChoiceField(label=_("Funding source"), choices=[("", "---"), *FUNDING_CHOICES])
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    annual_budget = RupiahField(label=_("Budget per year (Rp)"), words=True)
    occupations = forms.MultipleChoiceField(
        label=_("Only these occupations (none ticked: all)"),
        choices=OCCUPATION_CHOICES,
        widget=_CHECKBOXES,
        required=False,
    )
    areas = forms.CharField(
        label=_("Only these kecamatan or desa codes (empty: whole regency)"),
        required=False,
        help_text=_("Codes separated by commas, for example 52.03.07, 52.03.08.2001"),
    )
    # No initial value: the blank extra row must stay unchanged for the formset to skip it;
    # empty means the default (6).
    billing_months = forms.TypedChoiceField(
        label=_("Months per bill"),
        choices=[("", _("6 (default)")), *((m, m) for m in BILLING_MONTHS)],
        coerce=int,
        empty_value=None,
        required=False,
    )


class AgeBandForm(forms.Form):
    min_age = forms.IntegerField(label=_("From age"))
    max_age = forms.IntegerField(label=_("To age"))
    points = forms.IntegerField(label=_("Points"))


QUOTA_BOUND_CHOICES = [
    ("minimum", _("At least (workers)")),
    ("maximum", _("At most (workers)")),
    ("minimum_share", _("At least (share, 0 to 1)")),
    ("maximum_share", _("At most (share, 0 to 1)")),
]


AreaChoices = list[tuple[str, Any]]


class QuotaForm(forms.Form):
    area = forms.ChoiceField(label=_("Kecamatan or desa"))
    bound = forms.ChoiceField(label=_("Limit"), choices=[("", "---"), *QUOTA_BOUND_CHOICES])
    value = forms.DecimalField(label=_("Value"), min_value=0, decimal_places=3)

    def __init__(self, *args: Any, areas: AreaChoices | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - for mypy
        field.choices = [("", "---"), *(areas or [])]


def area_choices(user: "User", keep: Collection[str] = ()) -> AreaChoices:
    """The kecamatan of the user's wilayah, each with its desa, to pick a quota area by name
    (grouped by kecamatan). Codes in `keep` that are not among them (a saved quota's area that
    is no longer known) stay choosable by their code; the policy check then names them."""
    regions = (
        visible_regions(user)
        .filter(level__in=(Level.KECAMATAN, Level.DESA_KELURAHAN))
        .only("code", "name", "type", "level", "parent_id")
        .order_by("code")
    )
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for region in regions:
        if region.level == Level.KECAMATAN:
            whole = _("%(kecamatan)s (whole kecamatan)") % {"kecamatan": region.display_name}
            groups[region.code] = (region.display_name, [(region.code, whole)])
        elif region.parent_id in groups:
            kecamatan = groups[region.parent_id][0]
            prefix = "Kel. " if region.type == RegionType.KELURAHAN else "Desa "
            groups[region.parent_id][1].append(
                (region.code, f"{prefix}{region.name} ({kecamatan.removeprefix('Kec. ')})")
            )
    known = {code for _label, options in groups.values() for code, _name in options}
    unknown = [(code, code) for code in dict.fromkeys(keep) if code and code not in known]
    return [*unknown, *groups.values()]


SourceFormSet = forms.formset_factory(SourceForm, extra=1, can_delete=True)
AgeBandFormSet = forms.formset_factory(AgeBandForm, extra=1, can_delete=True)
QuotaFormSet = forms.formset_factory(QuotaForm, extra=1, can_delete=True)


def _codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", text) if code]


class PolicyForms:
    """The policy form and its three formsets, filled from POST data or from a policy."""

    def __init__(self, data: Any = None, *, policy: Policy, user: "User", name: str = "") -> None:
        initial = _initial(policy)
        self.form = PolicyForm(
            data,
            initial={**initial, "name": name, "fiscal_year": timezone.localdate().year + 1},
        )
        self.sources = SourceFormSet(data, prefix="source", initial=initial["sources"])
        self.bands = AgeBandFormSet(data, prefix="band", initial=initial["bands"])
        areas = area_choices(user, keep=[q["area"] for q in initial["quotas"]])
        self.quotas = QuotaFormSet(
            data, prefix="quota", initial=initial["quotas"], form_kwargs={"areas": areas}
        )

    def problems(self) -> list[str]:
        """What is wrong with the submitted values, one line per message, for the preview."""
        lines = [
            f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
            for form in [
                self.form,
                *self.sources.forms,
                *self.bands.forms,
                *self.quotas.forms,
            ]
            for name, messages in form.errors.items()
            for message in messages
        ]
        for formset in (self.sources, self.bands, self.quotas):
            lines += [str(message) for message in formset.non_form_errors()]
        return lines

    def is_valid(self) -> bool:
        return all(
            [
                self.form.is_valid(),
                self.sources.is_valid(),
                self.bands.is_valid(),
                self.quotas.is_valid(),
            ]
        )

    def policy_data(self) -> dict[str, Any]:
        """The policy data of the valid forms, for Policy.from_data."""
        d = self.form.cleaned_data
        return {
            "programs": ["JKK", "JKM", *(["JHT"] if d["jht"] else [])],
            "reported_income": d["reported_income"],
            "coverage_months": d["coverage_months"],
            "sources": [
                {
                    "code": row["code"],
                    "label": row["label"] or row["code"].upper(),
                    "annual_budget": row["annual_budget"],
                    "occupations": row["occupations"],
                    "areas": _codes(row["areas"]),
                    "billing_months": row.get("billing_months") or 6,
                }
                for row in _rows(self.sources)
            ],
            "eligibility": {
                "min_age": d["min_age"],
                "max_age": d["max_age"],
                "max_desil": d["max_desil"],
                "missing_desil": d["missing_desil"],
                "statuses": d["statuses"],
                "occupations_included": d["occupations_included"],
                "occupations_excluded": d["occupations_excluded"],
            },
            "priority": {
                "desil": d["w_desil"],
                "female_head": d["w_female_head"],
                "disability": d["w_disability"],
                "high_risk_occupations": d["high_risk_occupations"],
                "high_risk": d["w_high_risk"],
                "age_bands": [
                    {"min_age": r["min_age"], "max_age": r["max_age"], "points": r["points"]}
                    for r in _rows(self.bands)
                ],
                "nomination": d["w_nomination"],
            },
            "quotas": _quotas(_rows(self.quotas)),
            "proportional_to_population": d["proportional_to_population"],
            "sponsor_self_paying": d["sponsor_self_paying"],
            "other_region_nik": d["other_region_nik"] or "warn",
        }


def _quotas(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Quota rows (one limit each) as one quota per area."""
    by_area: dict[str, dict[str, Any]] = {}
    for row in rows:
        area = row["area"].strip()
        value = row["value"]
        by_area.setdefault(area, {"area": area})[row["bound"]] = (
            float(value) if row["bound"].endswith("share") else int(value)
        )
    return list(by_area.values())


def _rows(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The filled, not deleted rows of a valid formset."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def _initial(policy: Policy) -> dict[str, Any]:
    e, p = policy.eligibility, policy.priority
    return {
        "jht": "JHT" in policy.programs,
        "reported_income": policy.reported_income,
        "coverage_months": policy.coverage_months,
        "min_age": e.min_age,
        "max_age": e.max_age,
        "max_desil": e.max_desil,
        "missing_desil": e.missing_desil,
        "statuses": list(e.statuses),
        "occupations_included": list(e.occupations_included),
        "occupations_excluded": list(e.occupations_excluded),
        "w_desil": p.desil,
        "w_female_head": p.female_head,
        "w_disability": p.disability,
        "high_risk_occupations": list(p.high_risk_occupations),
        "w_high_risk": p.high_risk,
        "w_nomination": p.nomination,
        "proportional_to_population": policy.proportional_to_population,
        "sponsor_self_paying": policy.sponsor_self_paying,
        "other_region_nik": policy.other_region_nik,
        "sources": [
            {
                "code": s.code,
                "label": s.label,
                "annual_budget": s.annual_budget,
                "occupations": list(s.occupations),
                "areas": ", ".join(s.areas),
                "billing_months": s.billing_months,
            }
            for s in policy.sources
        ],
        "bands": [
            {"min_age": b.min_age, "max_age": b.max_age, "points": b.points} for b in p.age_bands
        ],
        "quotas": [
            {"area": q.area, "bound": bound, "value": getattr(q, bound)}
            for q in policy.quotas
            for bound in QUOTA_BOUNDS
            if getattr(q, bound) is not None
        ],
    }


class NominationForm(forms.Form):
    """A desa operator nominates a worker for sponsorship in a fiscal year."""

    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    reason = forms.CharField(label=_("Why this worker"), max_length=500)
