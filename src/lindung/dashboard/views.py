"""The dashboard: indicators, charts, a choropleth map with drill-down, exports.

Every page and download reads the same query string (`area`, `tahun`, `sumber`, `pekerjaan`,
`jk`, `indikator`), so a view can be shared as a link. Every read goes through
`dashboard.queries`, which keeps to the user's wilayah and hides small counts from leadership.
"""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.accounts.decorators import require, user_of
from lindung.accounts.models import User
from lindung.accounts.roles import Capability
from lindung.dashboard import maps, queries, reports
from lindung.dashboard.aggregates import refresh, state
from lindung.dashboard.forms import INDICATORS, FilterForm
from lindung.regions.models import Level, Region
from lindung.regions.queries import scope_codes
from lindung.ui.downloads import send_file
from lindung.ui.templatetags.lindung_format import format_number

TABLES = ("areas", "sources", *queries.BREAKDOWNS)


def _form(request: HttpRequest) -> FilterForm:
    return FilterForm(request.GET, state=state())


def link(name: str, form: FilterForm, **changes: str | int) -> str:
    """The URL of view `name` with the form's query string, some values changed."""
    params: dict[str, Any] = {
        key: value
        for key, value in (form.data.items() if hasattr(form.data, "items") else [])
        if key in form.fields and value not in ("", None)
    }
    params.update({key: value for key, value in changes.items()})
    params = {key: value for key, value in params.items() if value not in ("", None)}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _trail(area: queries.Area, user: User) -> list[Region]:
    """The area's ancestors the user may open, top first, then the area itself."""
    if area.region is None:
        return []
    trail: list[Region] = []
    node: Region | None = area.region
    scope = scope_codes(user)
    while node is not None and node.level >= Level.KABUPATEN_KOTA:
        if any(node.code == code or node.code.startswith(code + ".") for code in scope):
            trail.append(node)
        node = node.parent if node.parent_id else None
    return list(reversed(trail))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = _form(request)
    area = queries.resolve_area(user, form.area_code())
    filters = form.filters()
    figures = queries.indicators(user, area, filters)
    rows = queries.children(user, area, filters)
    indicator = form.indicator()
    ranked = sorted(rows, key=lambda r: maps.value_of(r, indicator) or -1, reverse=True)
    charts = {by: queries.breakdown(user, area, filters, by) for by in queries.BREAKDOWN_NAMES}
    context = {
        "form": form,
        "area": area,
        "title": queries.region_title(area.region) if area.region else "",
        "trail": _trail(area, user),
        "filters": filters,
        "figures": figures,
        "rows": ranked,
        "indicator": indicator,
        "indicator_label": dict(INDICATORS).get(indicator, indicator),
        "has_map": maps.has_boundaries(area),
        "legend": maps.legend_for(rows, indicator),
        "map_url": link("dashboard:map", form),
        "chart_data": {by: maps.chart_data(by, charts[by]) for by in charts},
        "areas_chart": maps.areas_chart(rows),
        "trend_chart": maps.trend_chart(queries.trend(user, area, filters)),
        "charts": charts,
        "drill": {row.code: link("dashboard:home", form, area=row.code) for row in rows},
        "workers_url": _workers_url(user, area, filters),
        "xlsx": {table: link("dashboard:table", form, tabel=table) for table in TABLES},
        "summary_pdf": link("dashboard:summary-pdf", form),
        "kecamatan_pdf": link("dashboard:kecamatan-pdf", form)
        if area.region is not None and area.level == Level.KECAMATAN
        else "",
        "can_refresh": user.can(Capability.CONFIGURE),
        "sees_persons": queries.sees_persons(user),
        "today": timezone.localdate(),
    }
    return render(request, "dashboard/home.html", context)


def _workers_url(user: User, area: queries.Area, filters: queries.Filters) -> str:
    """The worker list of a kecamatan or desa, for roles that see persons."""
    if not queries.sees_persons(user) or area.region is None:
        return ""
    params: dict[str, str] = {}
    if area.level == Level.DESA_KELURAHAN:
        params = {"kecamatan": area.code.rsplit(".", 1)[0], "desa": area.code}
    elif area.level == Level.KECAMATAN:
        params = {"kecamatan": area.code}
    else:
        return ""
    if filters.occupation:
        params["occupation"] = filters.occupation
    return reverse("registry:worker-list") + "?" + urlencode(params)


@login_required
def map_data(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the area's children (or the desa itself), coloured by the chosen indicator."""
    user = user_of(request)
    form = _form(request)
    area = queries.resolve_area(user, form.area_code())
    filters = form.filters()
    collection = maps.collection(
        user,
        area,
        filters,
        form.indicator(),
        drill=lambda code: link("dashboard:home", form, area=code),
        workers_url=_workers_url(user, area, filters),
    )
    response = JsonResponse(collection)
    response["Cache-Control"] = "private, max-age=60"
    return response


def _download(
    request: HttpRequest,
    filename: Callable[[queries.Area], str],
    write: Callable[[Path, User, queries.Area, FilterForm], object],
) -> FileResponse:
    """A file written for the request's area and filters, sent, then removed."""
    user = user_of(request)
    form = _form(request)
    area = queries.resolve_area(user, form.area_code())
    return send_file(filename(area), lambda out: write(out, user, area, form))


@login_required
def table(request: HttpRequest) -> FileResponse:
    """One dashboard table as XLSX."""
    name = request.GET.get("tabel", "areas")
    name = name if name in TABLES else "areas"
    return _download(
        request,
        lambda area: f"dasbor-{name}-{area.code or 'semua'}.xlsx",
        lambda out, user, area, form: reports.write_table_xlsx(
            out, user, area, form.filters(), name
        ),
    )


def _report_date(request: HttpRequest) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("tanggal", ""))
    except ValueError:
        return timezone.localdate()


@login_required
def summary_pdf(request: HttpRequest) -> FileResponse:
    """The one-page summary for the Bupati, dated `tanggal` (default today)."""
    on = _report_date(request)
    return _download(
        request,
        lambda area: f"ringkasan-{area.code or 'kabupaten'}-{on.isoformat()}.pdf",
        lambda out, user, area, form: reports.write_summary_pdf(
            out, user, area, form.filters(), form.indicator(), on
        ),
    )


@login_required
def kecamatan_pdf(request: HttpRequest) -> FileResponse:
    """A kecamatan's report for the camat's meeting: its desa, map and breakdowns."""

    def name(area: queries.Area) -> str:
        if area.region is None or area.level != Level.KECAMATAN:
            raise Http404
        return f"kecamatan-{area.code}.pdf"

    return _download(
        request,
        name,
        lambda out, user, area, form: reports.write_kecamatan_pdf(
            out, user, area, form.filters(), form.indicator()
        ),
    )


@require(Capability.CONFIGURE)
@require_POST
def refresh_now(request: HttpRequest) -> HttpResponse:
    done = refresh()
    messages.success(
        request,
        _("The dashboard was rebuilt from %(workers)s workers in %(seconds)s s.")
        % {"workers": format_number(done.workers), "seconds": format_number(done.seconds, 2)},
    )
    back = str(request.POST.get("next", ""))
    home_url = reverse("dashboard:home")
    return redirect(back if back.startswith(home_url) else home_url)
