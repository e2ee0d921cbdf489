"""The realisation against the pagu (/tagihan/realisasi/): per funding source and month of a
fiscal year, the pagu, what the approved list commits, what was billed and paid, what remains
and the forecast to December, with the budget warnings; the same as XLSX and PDF.

Regency money in aggregates (no person appears): open to the roles that bill (BILL) or set the
policy (CONFIGURE), and to pimpinan, each seeing the whole deployment. An area operator, or
anyone bound to a part of the deployment, gets 403. The filters are a GET form (`tahun`,
`sumber`) whose query string the download links carry. The downloads are not audited, like
the dashboard's reports: they hold no personal data.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.accounts.models import User
from lindung.billing.models import Bill
from lindung.billing.realisation import Figures, Realisation, realisation
from lindung.billing.realisation_files import write_pdf, write_xlsx
from lindung.decorators import user_of
from lindung.formats import month_name
from lindung.regions import scope
from lindung.regions.working import for_kabupaten
from lindung.roles import Capability, Role
from lindung.rules.policy import active_policy
from lindung.targeting.models import BeneficiaryList
from lindung.ui.downloads import send_file


def may_see_realisation(user: User) -> bool:
    """Roles that bill or configure, and pimpinan, seeing whole kabupaten/kota."""
    role_may = user.can(Capability.BILL) or user.can(Capability.CONFIGURE)
    role_may = role_may or (user.is_active and user.role == Role.PIMPINAN)
    codes = scope.codes_for(user)
    # The whole installation, or whole kabupaten/kota of it (each has its own budgets).
    whole = scope.is_whole_deployment(codes) or (
        bool(codes) and all(scope.level_of(code) == scope.KABUPATEN_KOTA for code in codes)
    )
    return role_may and whole


def _guarded(
    view: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """login_required, then 403 unless `may_see_realisation`."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponseBase:
        if not may_see_realisation(user_of(request)):
            raise PermissionDenied
        return view(request)

    return login_required(wrapped)


class RealisationForm(forms.Form):
    """The fiscal year and funding source (empty: every source), read from the query string."""

    tahun = forms.TypedChoiceField(label=gettext_lazy("Fiscal year"), coerce=int)
    sumber = forms.ChoiceField(label=gettext_lazy("Funding source"), required=False)

    def __init__(self, *args: Any, years: list[int], sources: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["tahun"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        self.fields["sumber"].choices = [  # type: ignore[attr-defined]
            ("", _("All sources")),
            *sources.items(),
        ]


def _years() -> tuple[list[int], int]:
    """Fiscal years with an approved list or a bill, and this year (newest first); and the
    year shown first: this year when it has either, else the newest that has."""
    years = set(BeneficiaryList.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    years |= set(Bill.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    this_year = timezone.localdate().year
    default = this_year if this_year in years or not years else max(years)
    return sorted(years | {this_year}, reverse=True), default


def _sources(kabupaten: str) -> dict[str, str]:
    """The policy's sources (code → label), then any other source a bill names."""
    policy, _version = active_policy(kabupaten)
    sources = {s.code: s.label for s in policy.sources}
    for code in sorted(set(Bill.objects.order_by().values_list("source", flat=True).distinct())):
        sources.setdefault(code, code.upper())
    return sources


def _selection(request: HttpRequest, kabupaten: str) -> tuple[RealisationForm, int, str | None]:
    (years, default), sources = _years(), _sources(kabupaten)
    data = request.GET if request.GET.get("tahun") else None
    form = RealisationForm(data, years=years, sources=sources, initial={"tahun": default})
    if form.is_valid():
        return form, form.cleaned_data["tahun"], form.cleaned_data["sumber"] or None
    return form, default, None


def _query(year: int, source: str | None) -> str:
    params = {"tahun": str(year)} | ({"sumber": source} if source else {})
    return "?" + urlencode(params)


def _chart(figures: Figures, result: Realisation) -> dict[str, Any]:
    """Cumulative paid (to the date of the figures) and forecast against the pagu."""
    return {
        "type": "line",
        "labels": [month_name(m.month.month) for m in figures.months],
        "datasets": [
            {"label": _("Pagu"), "data": [figures.pagu] * 12, "pointRadius": 0},
            {
                "label": _("Paid to date"),
                "data": [m.paid_to_date if m.month <= result.on else None for m in figures.months],
            },
            {
                "label": _("Forecast to date"),
                "data": [m.forecast_to_date for m in figures.months],
                "borderDash": [6, 4],
            },
        ],
    }


@_guarded
@for_kabupaten
def realisation_page(request: HttpRequest, kabupaten: str) -> HttpResponse:
    form, year, source = _selection(request, kabupaten)
    result = realisation(year, source=source, kabupaten=kabupaten)
    query = _query(year, source)
    context = {
        "form": form,
        "result": result,
        "tables": [
            {
                "figures": f,
                "rows": [(month_name(m.month.month), m) for m in f.months],
                "chart_id": f"chart-{f.code}",
                "chart": _chart(f, result),
            }
            for f in result.sources
        ],
        "xlsx_url": reverse("billing:realisation-xlsx") + query,
        "pdf_url": reverse("billing:realisation-pdf") + query,
    }
    return render(request, "billing/realisation.html", context)


def _filename(year: int, source: str | None, suffix: str) -> str:
    return f"realisasi-{year}{'-' + source if source else ''}.{suffix}"


@_guarded
@for_kabupaten
def realisation_xlsx(request: HttpRequest, kabupaten: str) -> HttpResponseBase:
    _form, year, source = _selection(request, kabupaten)
    result = realisation(year, source=source, kabupaten=kabupaten)
    return send_file(_filename(year, source, "xlsx"), lambda path: write_xlsx(path, result))


@_guarded
@for_kabupaten
def realisation_pdf(request: HttpRequest, kabupaten: str) -> HttpResponseBase:
    _form, year, source = _selection(request, kabupaten)
    result = realisation(year, source=source, kabupaten=kabupaten)
    return send_file(_filename(year, source, "pdf"), lambda path: write_pdf(path, result))
