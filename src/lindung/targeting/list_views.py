"""The approved beneficiary lists: browse, see the differences, download XLSX and PDF.

Everyone who may see persons opens them (accounts.person_level), each within their own
wilayah: a desa operator sees the beneficiaries of their desa, and the totals of what they see.
"""

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.services import record
from lindung.decorators import user_of
from lindung.roles import Capability
from lindung.targeting import presenters
from lindung.targeting.exports import write_list_pdf_file, write_list_xlsx
from lindung.targeting.lists import (
    lists_with_status,
    totals_in_scope,
    visible_changes,
    visible_entries,
)
from lindung.targeting.models import BeneficiaryList
from lindung.ui.downloads import send_file


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
    query = request.GET.get("q", "").strip()
    context = presenters.list_page(
        user_of(request), approved, query=query, page=request.GET.get("page")
    )
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
            action=Action.LIST_EXPORTED,
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
