"""The forms of the wadah, participation and self-payer pages.

WadahForm(data, by=admin, wadah=None)         a wadah's fields, checked for save_wadah
ParticipationFilterForm(request.GET, by=user)  the participation list's GET form
EndForm(data)                                  why a participation ends (a person's reasons)
SelfPaymentForm(data, by=user)                 a self-paying worker by NIK, KPJ and date
SelfPaymentEndForm(data, by=user)              the end of a recorded self-payment
SelfPaymentUploadForm(data, files)             a BPJS list of self-paying participants
"""

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from lindung.enrollment import layout
from lindung.enrollment.models import EndReason, Participation, State, Wadah, WadahType
from lindung.registry.forms import wilayah_choices
from lindung.registry.models import SelfPayment, Worker
from lindung.registry.queries import visible_workers
from lindung.rules.forms import area_choices
from lindung.rules.policy import active_policy

if TYPE_CHECKING:
    from lindung.accounts.models import User

Choices = list[tuple[Any, Any]]
UPLOAD_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")
_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_SEPARATORS = re.compile(r"[\s.\-]")


def source_labels(kabupaten: str | None = None) -> dict[str, str]:
    """The funding sources of the kabupaten/kota's active policy, code -> label."""
    policy, _version = active_policy(kabupaten)
    return {source.code: source.label for source in policy.sources}


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


# --- wadah ---------------------------------------------------------------------------------------
class WadahForm(forms.Form):
    """A wadah's fields as `services.save_wadah` takes them; the layout typed as text."""

    code = forms.CharField(
        label=_("Code"),
        max_length=30,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", _("Use only letters, digits and dashes."))],
        help_text=_("Short and unique, for example SG-APBD. It cannot change once it has batches."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.ChoiceField(label=_("Funding source"))
    type_code = forms.ChoiceField(label=_("Type"), choices=WadahType.choices)
    npw = forms.CharField(
        label=_("NPW"),
        max_length=30,
        required=False,
        help_text=_("The wadah's registration number at BPJS Ketenagakerjaan."),
    )
    branch = forms.CharField(
        label=_("Branch office"),
        max_length=100,
        required=False,
        help_text=_("For example KC Selong."),
    )
    area = forms.ChoiceField(
        label=_("Area"),
        required=False,
        help_text=_(
            "A village wadah (APBDes) belongs to one desa; leave empty for the whole regency."
        ),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False)
    layout = forms.CharField(
        label=_("Registration file columns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_(
            "One column per line as field = Header, in the order the branch asked for. "
            "Leave empty for the default layout shown below."
        ),
    )

    def __init__(
        self,
        *args: Any,
        by: "User",
        wadah: Wadah | None,
        kabupaten: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", wadah_initial(wadah))
        super().__init__(*args, **kwargs)
        self.wadah = wadah
        labels = source_labels(wadah.kabupaten if wadah is not None else kabupaten)
        if wadah is not None and wadah.source not in labels:  # no longer in the policy
            labels = {wadah.source: wadah.source.upper(), **labels}
        _choice(self, "source").choices = [("", "---"), *labels.items()]
        keep = [wadah.area] if wadah is not None else []
        whole = _("The whole regency")
        _choice(self, "area").choices = [("", whole), *area_choices(by, keep=keep)]
        if wadah is not None and wadah.batches.exists():
            self.fields["code"].disabled = True

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        others = Wadah.objects.filter(code__iexact=code)
        if self.wadah is not None:
            others = others.exclude(pk=self.wadah.pk)
        if others.exists():
            raise forms.ValidationError(_("Another wadah has this code."), code="unique")
        return code

    def clean_layout(self) -> list[list[str]]:
        columns, errors = layout.parse_layout(self.cleaned_data["layout"] or "")
        if errors:
            raise forms.ValidationError(errors)
        return columns


def wadah_initial(wadah: Wadah | None) -> dict[str, Any]:
    if wadah is None:
        return {"active": True, "type_code": WadahType.SG}
    initial = {name: getattr(wadah, name) for name in WadahForm.base_fields}
    initial["layout"] = layout.layout_text(wadah.layout) if wadah.layout else ""
    return initial


# --- participations ------------------------------------------------------------------------------
class ParticipationFilterForm(forms.Form):
    """The participation list's GET form: its query string is the page's state."""

    year = forms.TypedChoiceField(label=_("Fiscal year"), required=False, coerce=int)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *State.choices]
    )
    source = forms.ChoiceField(label=_("Funding source"), required=False)
    wadah = forms.ChoiceField(label=_("Wadah"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    desa = forms.ChoiceField(label=_("Desa/kelurahan"), required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("NIK or name")}),
        help_text=_("The first digits of a NIK, or words of a name."),
    )

    def __init__(
        self, *args: Any, by: "User", years: list[int], labels: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "year").choices = [("", _("All years")), *((y, str(y)) for y in years)]
        _choice(self, "source").choices = [("", _("All")), *labels.items()]
        codes = Wadah.objects.order_by("code").values_list("code", flat=True)
        _choice(self, "wadah").choices = [("", _("All")), *((c, c) for c in codes)]
        kecamatan, desa = wilayah_choices(by)
        if len(kecamatan) > 1:
            _choice(self, "kecamatan").choices = [("", _("All")), *kecamatan]
        else:
            del self.fields["kecamatan"]
        if sum(len(options) for _group, options in desa) > 1:
            _choice(self, "desa").choices = [("", _("All")), *desa]
        else:
            del self.fields["desa"]

    def apply(self, participations: Any) -> Any:
        """`participations` narrowed by the valid filters (an invalid one is shown, ignored)."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        fields = {"year": "fiscal_year", "state": "state", "source": "source"}
        for name, field in fields.items():
            if name in data:
                participations = participations.filter(**{field: data[name]})
        if "wadah" in data:
            participations = participations.filter(wadah__code=data["wadah"])
        if "desa" in data:
            participations = participations.filter(desa_id=data["desa"])
        elif "kecamatan" in data:
            participations = participations.filter(kecamatan_id=data["kecamatan"])
        return search(participations, data.get("q", ""))


def search(participations: Any, text: str) -> Any:
    """A NIK prefix (separators ignored), or every word of `text` in the name."""
    digits = _SEPARATORS.sub("", text)
    if digits.isdigit():
        return participations.filter(nik__startswith=digits)
    for word in text.split():
        participations = participations.filter(name__icontains=word)
    return participations


# Ends the system sets itself (billing, list revisions, the year's close) are not offered.
SYSTEM_END_REASONS = frozenset(
    {
        EndReason.LAPSED,
        EndReason.LIST_REVISION,
        EndReason.SOURCE_CHANGED,
        EndReason.YEAR_ENDED,
        EndReason.NOT_RENEWED,
    }
)
END_CHOICES = [
    (value, label) for value, label in EndReason.choices if value not in SYSTEM_END_REASONS
]


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=END_CHOICES)


def can_end(participation: Participation) -> bool:
    return participation.state != State.BERAKHIR


def can_resubmit(participation: Participation) -> bool:
    return participation.state in (State.DITOLAK, State.GANDA_AKTIF)


# --- self-paying participants --------------------------------------------------------------------
def _digits(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


class SelfPaymentForm(forms.Form):
    """A worker of the user's area who pays BPJS TK themselves, by NIK."""

    nik = forms.CharField(label=_("NIK"), max_length=40)
    kpj = forms.CharField(label=_("KPJ"), max_length=20, help_text=_("11 digits."))
    since = forms.DateField(label=_("Paying since"), required=False, widget=_DATE_INPUT)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, by: "User", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by = by
        self.worker: Worker | None = None

    def clean_nik(self) -> str:
        nik = _digits(self.cleaned_data["nik"])
        self.worker = visible_workers(self.by).filter(nik=nik).first()
        if self.worker is None:
            raise forms.ValidationError(_("No worker with this NIK in your area."), code="unknown")
        return nik


class SelfPaymentEndForm(forms.Form):
    """The end of a recorded self-payment of a worker of the user's area."""

    worker = forms.IntegerField(widget=forms.HiddenInput)
    until = forms.DateField(label=_("Paid until"), required=False, widget=_DATE_INPUT)

    def __init__(self, *args: Any, by: "User", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by = by
        self.payment: SelfPayment | None = None

    def clean_worker(self) -> int:
        worker_id = int(self.cleaned_data["worker"])
        self.payment = (
            SelfPayment.objects.filter(worker__in=visible_workers(self.by), worker_id=worker_id)
            .select_related("worker")
            .first()
        )
        if self.payment is None:
            raise forms.ValidationError(_("This worker is not recorded as paying themselves."))
        return worker_id


class SelfPaymentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("BPJS list of self-paying participants (XLSX, XLS, ODS or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
        help_text=_("Columns NIK and KPJ; TMT and Status when the list has them."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                _("Upload the list as an XLSX, XLS, ODS or CSV file."), code="suffix"
            )
        return upload
