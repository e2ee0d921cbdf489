"""The impact page (/klaim/dampak/), its XLSX and one-page PDF for the Bupati, and the small
summary the dashboard loads (`claims.impact`).

Aggregates: every logged-in role bound to a wilayah sees them within it, pimpinan included;
anyone without a wilayah gets 403. Roles that do not see persons (pimpinan) get the small
counts hidden ("< 5"), with the benefits of the rows whose paid cases are hidden. The year is
a GET form (`tahun`); the downloads carry it in their path (`dampak-2027.xlsx`). Not audited,
like the dashboard's and the realisation's files: they hold no personal data.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lindung.accounts.models import User
from lindung.billing.queries import region_names
from lindung.claims import impact as figures
from lindung.claims.impact_files import cell_text, headline, notes, tables, write_pdf, write_xlsx
from lindung.claims.models import Claim
from lindung.decorators import user_of
from lindung.regions import scope
from lindung.roles import Capability
from lindung.ui.downloads import send_file


def codes_of(user: User) -> list[str] | None:
    """The user's wilayah for `impact`: None for the whole deployment (no filter)."""
    codes = scope.codes_for(user)
    if not codes:
        raise PermissionDenied
    return None if scope.is_whole_deployment(codes) else codes


def _guarded(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """login_required, then 403 for a user without a wilayah."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        codes_of(user_of(request))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


class YearForm(forms.Form):
    tahun = forms.TypedChoiceField(label=gettext_lazy("Fiscal year"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tahun"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]


def _years() -> tuple[list[int], int]:
    """Years with a bill or a claim and this year, newest first; the year shown first: this
    year when it has either, else the newest that has."""
    found = figures.years()
    this_year = timezone.localdate().year
    default = this_year if this_year in found or not found else found[0]
    return sorted({*found, this_year}, reverse=True), default


def _selection(request: HttpRequest) -> tuple[YearForm, int]:
    years, default = _years()
    data = request.GET if request.GET.get("tahun") else None
    form = YearForm(data, years=years, initial={"tahun": default})
    return form, (form.cleaned_data["tahun"] if form.is_valid() else default)


def result_for(user: User, year: int) -> dict[str, Any]:
    """The impact within the user's wilayah, small cells hidden unless the user sees persons."""
    result = figures.cached_impact(year, codes_of(user))
    return result if user.can(Capability.VIEW_PERSONS) else figures.conceal(result)


def _area(user: User) -> str:
    codes = codes_of(user)
    if codes is None:
        return ""
    names = region_names(codes)
    return ", ".join(names.get(code, code) for code in codes)


def _display(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The tables as the template prints them: each cell's text and whether it is a number."""
    shown = []
    for table in tables(result):
        kinds = [c.kind for c in table.columns]

        def cells(values: list[Any], kinds: list[Any] = kinds) -> list[tuple[str, bool]]:
            return [(cell_text(v, k), k != "text") for v, k in zip(values, kinds, strict=True)]

        shown.append(
            {
                "key": table.key,
                "title": table.title,
                "columns": [(c.title, c.kind != "text") for c in table.columns],
                "rows": [cells(values) for values in table.rows],
                "total": cells(table.total) if table.total is not None else None,
            }
        )
    return shown


@_guarded
def impact_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form, year = _selection(request)
    result = result_for(user, year)
    context = {
        "form": form,
        "year": year,
        "result": result,
        "area": _area(user),
        "cards": headline(result),
        "tables": _display(result),
        "notes": notes(result),
        "xlsx_url": reverse("claims:impact-xlsx", kwargs={"year": year}),
        "pdf_url": reverse("claims:impact-pdf", kwargs={"year": year}),
    }
    return render(request, "claims/impact.html", context)


@_guarded
def impact_summary(request: HttpRequest) -> HttpResponse:
    """The dashboard's section: this year's benefits, families and ratio (loaded by htmx)."""
    user = user_of(request)
    _form, year = _selection(request)
    if not Claim.objects.filter(fiscal_year=year).exists():
        # A year with no claim yet (next year's list, paid ahead): the latest year before it
        # that has claims says more.
        earlier = (
            Claim.objects.filter(fiscal_year__lt=year)
            .order_by("-fiscal_year")
            .values_list("fiscal_year", flat=True)
            .first()
        )
        year = earlier or year
    result = result_for(user, year)
    context = {
        "year": year,
        "result": result,
        "benefits": cell_text(result["benefits"], "money"),
        "families": cell_text(result["families"], "count"),
        "ratio": cell_text(result["ratio"], "ratio"),
        "url": reverse("claims:impact") + f"?tahun={year}",
    }
    return render(request, "claims/_impact_summary.html", context)


@_guarded
def impact_xlsx(request: HttpRequest, year: int) -> FileResponse:
    result = result_for(user_of(request), year)
    on = timezone.localdate()
    return send_file(f"dampak-{year}.xlsx", lambda path: write_xlsx(path, result, on=on))


@_guarded
def impact_pdf(request: HttpRequest, year: int) -> FileResponse:
    user = user_of(request)
    result = result_for(user, year)
    on, area = timezone.localdate(), _area(user)
    return send_file(f"dampak-{year}.pdf", lambda path: write_pdf(path, result, on=on, area=area))
