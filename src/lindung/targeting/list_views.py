"""The approved beneficiary lists: browse, see the differences, download XLSX and PDF.

Everyone who may see persons opens them (accounts.person_level), each within their own
wilayah: a desa operator sees the beneficiaries of their desa, and the totals of what they see.
"""

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from lindung.accounts.decorators import user_of
from lindung.accounts.roles import Capability
from lindung.audit.services import record
from lindung.registry.models import Occupation
from lindung.targeting.exports import region_names, write_list_pdf_file, write_list_xlsx
from lindung.targeting.lists import (
    change_counts,
    entry_totals,
    lists_with_status,
    source_labels,
    totals_in_scope,
    visible_changes,
    visible_entries,
)
from lindung.targeting.models import BeneficiaryList
from lindung.ui.downloads import send_file

PAGE_SIZE = 100


@login_required
def list_index(request: HttpRequest) -> HttpResponse:
    lists = list(lists_with_status())
    totals = totals_in_scope(user_of(request), lists)  # an operator's area, not the kabupaten
    rows = [(item, *totals[item.pk]) for item in lists]
    return render(request, "targeting/list_index.html", {"lists": rows})


@login_required
def list_detail(request: HttpRequest, number: int) -> HttpResponse:
    approved = get_object_or_404(
        BeneficiaryList.objects.select_related("previous", "scenario"), number=number
    )
    user = user_of(request)
    entries = visible_entries(user, approved)
    query = request.GET.get("q", "").strip()
    shown = entries
    if query:
        shown = entries.filter(Q(nik=query) | Q(name__icontains=query))
    page = Paginator(shown.order_by("source", "rank"), PAGE_SIZE).get_page(request.GET.get("page"))
    totals = entry_totals(entries)
    changes = visible_changes(user, approved)
    kinds = change_counts(changes)  # within the wilayah, like every total on the page
    first_changes = list(changes.order_by("kind", "kecamatan_id", "name")[:PAGE_SIZE])
    names = region_names(
        {*totals["kecamatan"], *(e.desa_id for e in page), *(e.kecamatan_id for e in page),
         *(c.desa_id for c in first_changes)}
    )  # fmt: skip
    occupations = dict(Occupation.choices)
    labels = source_labels(approved.scenario)
    rows = [
        (e, labels.get(e.source, e.source), names.get(e.desa_id, e.desa_id),
         names.get(e.kecamatan_id, e.kecamatan_id), occupations.get(e.occupation, e.occupation))
        for e in page
    ]  # fmt: skip
    context = {
        "approved": approved,
        "page": page,
        "query": query,
        "can_configure": user.can(Capability.CONFIGURE),
        "by_source": [
            (labels.get(code, code), n, cost, int(approved.budgets.get(code, 0)))
            for code, (n, cost) in totals["source"].items()
        ],
        "by_kecamatan": [
            (names.get(code, code), n, cost) for code, (n, cost) in totals["kecamatan"].items()
        ],
        "total": sum(n for n, _cost in totals["source"].values()),
        "total_cost": sum(cost for _n, cost in totals["source"].values()),
        "rows": rows,
        "changes": [(c, names.get(c.desa_id, c.desa_id)) for c in first_changes],
        "change_count": sum(kinds.values()),
        "change_kinds": kinds,
        "revision": getattr(approved, "revision", None),
    }
    return render(request, "targeting/list_detail.html", context)


def _download(
    request: HttpRequest,
    number: int,
    suffix: str,
    write: Callable[..., int],
) -> FileResponse:
    approved = get_object_or_404(BeneficiaryList.objects.select_related("previous"), number=number)
    user = user_of(request)
    entries = visible_entries(user, approved)
    show_nik = user.can(Capability.VIEW_NIK)
    written: list[int] = []

    def write_file(out: Path) -> None:
        changes = visible_changes(user, approved)
        written.append(write(approved, entries, changes, out, show_nik=show_nik))

    name = _("beneficiaries-%(year)s-no%(number)s") % {
        "year": approved.fiscal_year,
        "number": approved.number,
    }
    response = send_file(name + suffix, write_file)
    with transaction.atomic():  # taking personal data out is audited
        record(
            by=user,
            action="list_exported",
            obj=approved,
            after={"format": suffix.lstrip("."), "rows": written[0], "nik": show_nik},
        )
    return response


@login_required
def list_xlsx(request: HttpRequest, number: int) -> FileResponse:
    return _download(request, number, ".xlsx", write_list_xlsx)


@login_required
def list_pdf(request: HttpRequest, number: int) -> FileResponse:
    return _download(request, number, ".pdf", write_list_pdf_file)
