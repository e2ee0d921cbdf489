"""Who is protected on a date (cakupan): counts per funding source and kecamatan (per desa of a
chosen kecamatan) for everyone logged in, within their wilayah; for roles that see no persons
(pimpinan) the counts from 1 to 4 are hidden, with the counts they could be worked out from.
Roles that see persons also get the workers in grace and those lapsed this month, paged."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lindung.billing import coverage, queries
from lindung.billing.forms import CoverageForm
from lindung.decorators import user_of
from lindung.registry.queries import page_links
from lindung.roles import Capability

PAGE_SIZE = 50


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    codes = queries.coverage_codes(user)
    form = CoverageForm(request.GET)
    on = form.day()
    counts = coverage.counts(on=on, codes=codes)
    names = queries.region_names(counts["by_kecamatan"])
    form.choose_from({c: names.get(c, c) for c in counts["by_kecamatan"]})
    kecamatan = form.cleaned_data.get("kecamatan", "") if form.is_valid() else ""
    area = queries.kecamatan_codes(codes, kecamatan) if kecamatan else []
    persons = user.can(Capability.VIEW_PERSONS)
    context: dict[str, Any] = {
        "form": form,
        "on": on,
        "kecamatan": kecamatan,
        "kecamatan_name": names.get(kecamatan, kecamatan),
        "tables": queries.coverage_tables(
            counts,
            desa=queries.desa_counts(on, area) if area else None,
            kecamatan=kecamatan,
            hide_small=not persons,
        ),
        "can_view_persons": persons,
    }
    if persons:
        context |= _attention(request, codes, on)
    return render(request, "billing/coverage.html", context)


def _attention(request: HttpRequest, codes: list[str] | None, on: Any) -> dict[str, Any]:
    frame = queries.attention(codes, on=on)
    page = Paginator(range(frame.height), PAGE_SIZE).get_page(request.GET.get("page"))
    start = page.start_index() - 1 if frame.height else 0
    return {
        "page": page,
        "links": page_links(page.number, page.paginator.num_pages),
        "workers": queries.attention_rows(frame.slice(start, len(page.object_list))),
    }
