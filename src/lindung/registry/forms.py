from collections import defaultdict
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lindung.accounts.models import User
from lindung.regions import scope
from lindung.regions.models import Level
from lindung.regions.queries import visible_regions
from lindung.registry.models import Occupation, Sex, Source, Worker, WorkerStatus
from lindung.registry.queries import AGE_BANDS, DESIL_NONE, DESIL_VALUES, WorkerFilter
from lindung.ui.fields import RupiahField

Choices = list[tuple[Any, Any]]
_ISO_DATE = "%Y-%m-%d"


def wilayah_choices(by: User) -> tuple[Choices, Choices]:
    """(kecamatan, desa grouped by kecamatan) within `by`'s scope, in one query."""
    kecamatan: Choices = []
    desa: dict[str, Choices] = defaultdict(list)
    regions = visible_regions(by).filter(level__gte=Level.KECAMATAN).select_related("parent")
    for region in regions.order_by("code"):
        if region.level == Level.KECAMATAN:
            kecamatan.append((region.code, region.display_name))
        elif region.parent is not None:
            desa[region.parent.display_name].append((region.code, region.display_name))
    return kecamatan, list(desa.items())


def province_choices(by: User, kecamatan: str, desa: str) -> tuple[Choices, Choices]:
    """For a user of several kabupaten/kota (a province has over a thousand desa): the
    kecamatan grouped by kabupaten/kota, and only the desa of the chosen kecamatan (and the
    chosen desa), in two queries."""
    grouped: dict[str, Choices] = defaultdict(list)
    regions = visible_regions(by).filter(level=Level.KECAMATAN).select_related("parent")
    for region in regions.order_by("code"):
        grouped[region.parent.name if region.parent else ""].append(
            (region.code, region.display_name)
        )
    desa_choices: dict[str, Choices] = defaultdict(list)
    wanted = Q(parent_id=kecamatan) if kecamatan else Q(pk__in=[])
    if desa:
        wanted |= Q(code=desa)
    chosen = visible_regions(by).filter(wanted, level=Level.DESA_KELURAHAN)
    for region in chosen.select_related("parent").order_by("code"):
        desa_choices[region.parent.display_name if region.parent else ""].append(
            (region.code, region.display_name)
        )
    return list(grouped.items()), list(desa_choices.items())


def _with_blank(blank: Any, choices: Choices) -> Choices:
    return [("", blank), *choices]


class WorkerFilterForm(forms.Form):
    """The registry list's GET form: its query string is the page's state."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("NIK, No. KK or name")}),
        help_text=_("NIK, No. KK or its first digits; or words of a name, in any order."),
    )
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    desa = forms.ChoiceField(label=_("Desa/kelurahan"), required=False)
    occupation = forms.ChoiceField(
        label=_("Occupation"),
        required=False,
        choices=_with_blank(_("All occupations"), Occupation.choices),
    )
    desil = forms.ChoiceField(
        label=_("Desil"),
        required=False,
        choices=_with_blank(
            _("All"), [*((d, d) for d in DESIL_VALUES), (DESIL_NONE, _("No desil"))]
        ),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=_with_blank(_("All"), Sex.choices)
    )
    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=_with_blank(_("All ages"), [(band, band) for band in AGE_BANDS]),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_with_blank(_("All"), WorkerStatus.choices),
    )
    source = forms.TypedChoiceField(label=_("Source"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        if len(scope.kabupaten_for(by)) > 1:
            data = self.data or {}
            kecamatan, desa = province_choices(by, data.get("kecamatan", ""), data.get("desa", ""))
            fields["desa"].help_text = _("Choose a kecamatan first to list its desa/kelurahan.")
        else:
            kecamatan, desa = wilayah_choices(by)
        cast(forms.ChoiceField, fields["kecamatan"]).choices = _with_blank(_("All"), kecamatan)
        cast(forms.ChoiceField, fields["desa"]).choices = _with_blank(_("All"), desa)
        sources = [(s.pk, s.name) for s in Source.objects.order_by("name")]
        cast(forms.ChoiceField, fields["source"]).choices = _with_blank(_("All"), sources)

    def worker_filter(self) -> WorkerFilter:
        """The valid filters (an invalid one is shown with its error and ignored)."""
        self.is_valid()
        return WorkerFilter(**{k: v for k, v in self.cleaned_data.items() if v not in ("", None)})


class WorkerForm(forms.Form):
    """The edit page. Values go to services.update_worker, which checks them again."""

    name = forms.CharField(label=_("Name"), max_length=200)
    no_kk = forms.RegexField(
        label=_("No. KK"),
        regex=r"^\d{16}$",
        required=False,
        error_messages={"invalid": _("The No. KK must be 16 digits.")},
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(
        label=_("Birth date"),
        input_formats=[_ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=_ISO_DATE),
    )
    birth_place = forms.CharField(label=_("Birth place"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    desa = forms.ChoiceField(label=_("Desa/kelurahan"))
    occupation = forms.ChoiceField(label=_("Occupation"), choices=Occupation.choices)
    income = RupiahField(label=_("Monthly income (rupiah)"), required=False)
    desil = forms.TypedChoiceField(
        label=_("Desil"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_with_blank(_("No desil"), [(n, n) for n in range(1, 11)]),
        help_text=_("Welfare decile: 1 is the poorest tenth."),
    )
    disability = forms.BooleanField(label=_("Disability"), required=False)
    female_head = forms.BooleanField(label=_("Female head of household"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=WorkerStatus.choices)

    def __init__(self, *args: Any, by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _kecamatan, desa = wilayah_choices(by)
        cast(forms.ChoiceField, self.fields["desa"]).choices = _with_blank(_("— choose —"), desa)


def worker_initial(worker: Worker) -> dict[str, Any]:
    initial = {name: getattr(worker, name) for name in WorkerForm.base_fields if name != "desa"}
    return {**initial, "desa": worker.desa_id}
