"""The dashboard: indicators, charts, a choropleth map with drill-down, exports.

Every page and download reads the same query string (`area`, `tahun`, `sumber`, `pekerjaan`,
`jk`, `indikator`), so a view can be shared as a link. Every read goes through
`dashboard.queries`, which keeps to the user's wilayah and hides small counts from leadership.
"""

import datetime
from collections.abc import Callable
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.accounts.models import User
from lindung.dashboard import maps, presenters, queries, reports
from lindung.dashboard.aggregates import state
from lindung.dashboard.forms import FilterForm
from lindung.dashboard.signals import ensure_queued, mark_stale
from lindung.decorators import require, user_of
from lindung.regions.models import Level
from lindung.roles import Capability
from lindung.ui.downloads import send_file


def _form(request: HttpRequest) -> FilterForm:
    return FilterForm(request.GET, state=state())


@login_required
def home(request: HttpRequest) -> HttpResponse:
    ensure_queued()  # stale cells: shown as they are while the worker recounts
    context = presenters.home_page(user_of(request), _form(request))
    return render(request, "dashboard/home.html", context)


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
        drill=lambda code: presenters.link("dashboard:home", form, area=code),
        workers_url=presenters.workers_url(user, area, filters),
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
    name = name if name in presenters.TABLES else "areas"
    return _download(
        request,
        lambda area: f"dasbor-{name}-{area.slug}.xlsx",
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
    """The one-page summary for the Bupati (the Governor at a province's top), dated
    `tanggal` (default today)."""
    on = _report_date(request)
    return _download(
        request,
        lambda area: f"ringkasan-{area.slug}-{on.isoformat()}.pdf",
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
        lambda out, user, area, form: reports.write_area_pdf(
            out, user, area, form.filters(), form.indicator()
        ),
    )


@login_required
def area_pdf(request: HttpRequest) -> FileResponse:
    """The report of an area with child areas: a province's (or the deployment's) kabupaten/kota,
    a kabupaten's kecamatan, a kecamatan's desa; their map, figures and the breakdowns."""

    def name(area: queries.Area) -> str:
        if area.child_level is None:
            raise Http404
        return f"laporan-{area.slug}.pdf"

    return _download(
        request,
        name,
        lambda out, user, area, form: reports.write_area_pdf(
            out, user, area, form.filters(), form.indicator()
        ),
    )


@require(Capability.CONFIGURE)
@require_POST
def refresh_now(request: HttpRequest) -> HttpResponse:
    """Queue a recount (the background worker does it; the page never waits for one)."""
    mark_stale()
    messages.success(
        request, _("A recount was queued: the figures change when it is done, in a minute or two.")
    )
    back = str(request.POST.get("next", ""))
    home_url = reverse("dashboard:home")
    return redirect(back if back.startswith(home_url) else home_url)
