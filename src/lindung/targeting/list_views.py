"""The approved beneficiary lists: browse, see the differences, download the lampiran (XLSX, PDF).

Everyone who may see persons opens them (accounts.person_level), each within their own
wilayah: a desa operator sees the beneficiaries of their desa, and the totals of what they see;
their lampiran is the extract of their area. The lampiran files are made by a background job
(`targeting.lampiran_files`): the page shows its progress and the download buttons once ready;
a download never waits for a file to be made.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.audit.actions import Action
from lindung.audit.services import record
from lindung.decorators import require, user_of
from lindung.regions.models import Region
from lindung.regions.scope import kabupaten_for
from lindung.roles import Capability
from lindung.targeting import presenters
from lindung.targeting.forms import DecreeForm
from lindung.targeting.lampiran_files import (
    STEPS,
    DecreeError,
    is_ready,
    path_of,
    percent,
    request_files,
    set_decree,
)
from lindung.targeting.lists import lists_with_status, totals_in_scope
from lindung.targeting.models import BeneficiaryList, LampiranFiles
from lindung.ui.downloads import send_stored


@login_required
def list_index(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    kabupaten = kabupaten_for(user)  # each kabupaten/kota's own lists; a province sees all
    lists = list(lists_with_status(kabupaten))
    totals = totals_in_scope(user, lists)  # an operator's area, not the kabupaten
    rows = [(item, *totals[item.pk]) for item in lists]
    names = (
        dict(Region.objects.filter(code__in=kabupaten).values_list("code", "name"))
        if len(kabupaten) > 1
        else {}
    )
    return render(request, "targeting/list_index.html", {"lists": rows, "kabupaten_names": names})


def _get_list(request: HttpRequest, number: int) -> BeneficiaryList:
    """A list of a kabupaten/kota in the user's scope (another's is not found)."""
    lists = BeneficiaryList.objects.filter(kabupaten__in=kabupaten_for(user_of(request)))
    return get_object_or_404(lists.select_related("previous", "scenario"), number=number)


def _files_context(
    request: HttpRequest, approved: BeneficiaryList, *, retry: bool = True
) -> dict[str, object]:
    files = request_files(approved, user=user_of(request), retry=retry)
    ready = is_ready(files)
    return {
        "approved": approved,
        "files": files,
        "files_ready": ready,
        "files_step": STEPS.get(files.step, files.step),
        "files_percent": percent(files),
    }


@login_required
def list_detail(request: HttpRequest, number: int) -> HttpResponse:
    approved = _get_list(request, number)
    user = user_of(request)
    query = request.GET.get("q", "").strip()
    context = presenters.list_page(user, approved, query=query, page=request.GET.get("page"))
    context |= _files_context(request, approved)
    if user.can(Capability.APPROVE):
        context["decree_form"] = DecreeForm(
            initial={
                "decree": approved.decree,
                "decree_date": approved.decree_date,
                "decree_subject": approved.decree_subject,
            }
        )
    return render(request, "targeting/list_detail.html", context)


@login_required
def list_files(request: HttpRequest, number: int) -> HttpResponse:
    """The lampiran's status (polled by htmx while the files are being made)."""
    approved = _get_list(request, number)
    return render(
        request,
        "targeting/list_detail.html#lampiran",
        _files_context(request, approved, retry=False),
    )


@require(Capability.APPROVE)
@require_POST
def list_decree(request: HttpRequest, number: int) -> HttpResponse:
    """Enter the number, date and subject of the signed decree; the files are made again."""
    approved = _get_list(request, number)
    form = DecreeForm(request.POST)
    if form.is_valid():
        try:
            set_decree(
                by=user_of(request),
                approved=approved,
                number=form.cleaned_data["decree"],
                date=form.cleaned_data["decree_date"],
                subject=form.cleaned_data["decree_subject"],
            )
        except DecreeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decree saved. The lampiran files are being made again."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("targeting:list-detail", args=[number]) + "#lampiran")


def _download(request: HttpRequest, number: int, suffix: str) -> HttpResponseBase:
    approved = _get_list(request, number)
    user = user_of(request)
    files: LampiranFiles = request_files(approved, user=user)
    if not is_ready(files):  # never wait for the file: show the progress instead
        messages.info(request, _("The lampiran is being made. The download appears when ready."))
        return redirect(reverse("targeting:list-detail", args=[number]) + "#lampiran")
    name = _("beneficiaries-%(year)s-no%(number)s") % {
        "year": approved.fiscal_year,
        "number": approved.number,
    }
    response = send_stored(name + suffix, path_of(files, suffix))
    with transaction.atomic():  # taking personal data out is audited
        record(
            by=user,
            action=Action.LIST_EXPORTED,
            obj=approved,
            after={"format": suffix.lstrip("."), "rows": files.rows, "nik": files.show_nik},
        )
    return response


@login_required
def list_xlsx(request: HttpRequest, number: int) -> HttpResponseBase:
    return _download(request, number, ".xlsx")


@login_required
def list_pdf(request: HttpRequest, number: int) -> HttpResponseBase:
    return _download(request, number, ".pdf")
