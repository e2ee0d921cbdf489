"""Reconciliation with BPJS: upload the branch's recap, follow its check, read the four lists,
then save (Simpan) or discard (Buang).

The upload is kept at once and checked by a background job (`reconcile.background`); the
recap's page shows the job's progress to whoever started it, then the counts and the lists,
each paged (PAGE_SIZE rows). Every page takes BILL (person-level: pimpinan never gets here);
the rows shown are those of the user's wilayah (rows of members Lindung does not know only to
those who see the whole deployment, who alone may save or discard: a bill spans the wadah).
NIKs are masked for roles without VIEW_NIK.
"""

from typing import TYPE_CHECKING, Any

import polars as pl
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lindung.billing.models import BillState, Reconciliation, ReconciliationStatus
from lindung.billing.reconcile import check, service, words
from lindung.billing.reconcile.background import CHECK, start_check
from lindung.billing.reconcile.forms import RecapForm
from lindung.billing.states import BillingError
from lindung.decorators import require, user_of
from lindung.jobs.models import Job
from lindung.jobs.services import fail_if_stale
from lindung.regions import scope
from lindung.registry.queries import page_links
from lindung.roles import Capability

if TYPE_CHECKING:
    from lindung.accounts.models import User

PAGE_SIZE = 100
RECENT = 50  # recaps listed
LISTS: tuple[tuple[str, Any], ...] = (
    (check.Category.NOT_ON_LIST, gettext_lazy("Paid but not on an approved list")),
    (check.Category.NOT_ACTIVE, gettext_lazy("On the list but not active at BPJS")),
    (check.Category.AMOUNT_MISMATCH, gettext_lazy("Amount differs")),
    (check.Category.STATUS_MISMATCH, gettext_lazy("Status differs")),
    (check.Category.MATCHED, gettext_lazy("Matched")),
)


def _years() -> list[int]:
    year = service.today().year
    return [year, year - 1]


def _whole(user: "User") -> bool:
    return scope.is_whole_deployment(scope.codes_for(user))


@require(Capability.BILL)
def reconcile_list(request: HttpRequest) -> HttpResponse:
    recent = Reconciliation.objects.select_related("created_by")[:RECENT]
    form = RecapForm(years=_years())
    return render(request, "billing/reconcile_list.html", {"form": form, "recent": recent})


@require(Capability.BILL)
@require_POST
def reconcile_upload(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = RecapForm(request.POST, request.FILES, years=_years())
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("billing:reconcile-list")
    upload = form.cleaned_data["file"]
    try:
        reconciliation = service.store(
            by=user,
            upload=upload,
            file_name=upload.name,
            fiscal_year=form.cleaned_data["fiscal_year"],
        )
    except BillingError as error:
        messages.error(request, error.message)
        return redirect("billing:reconcile-list")
    start_check(by=user, reconciliation=reconciliation)
    return redirect("billing:reconcile-detail", pk=reconciliation.pk)


@require(Capability.BILL)
def reconcile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    reconciliation = get_object_or_404(
        Reconciliation.objects.select_related("created_by", "decided_by"), pk=pk
    )
    job = _latest_job(reconciliation)
    context: dict[str, Any] = {
        "reconciliation": reconciliation,
        "job": job,
        "running": job is not None and job.active,
        "can_decide": _whole(user),
    }
    if reconciliation.status in (ReconciliationStatus.CHECKED, ReconciliationStatus.COMMITTED):
        context |= _preview(request, user, reconciliation)
    return render(request, "billing/reconcile_detail.html", context)


@require(Capability.BILL)
@require_POST
def reconcile_commit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    reconciliation = get_object_or_404(Reconciliation, pk=pk)
    if not _whole(user):
        messages.error(request, _("Only a user who sees the whole regency can save a recap."))
    elif _busy(reconciliation):
        messages.error(request, _("The recap is being checked; wait until it is done."))
    else:
        try:
            service.commit(by=user, reconciliation=reconciliation)
        except BillingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The reconciliation was saved."))
    return redirect("billing:reconcile-detail", pk=reconciliation.pk)


@require(Capability.BILL)
@require_POST
def reconcile_discard(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    reconciliation = get_object_or_404(Reconciliation, pk=pk)
    if not _whole(user):
        messages.error(request, _("Only a user who sees the whole regency can discard a recap."))
        return redirect("billing:reconcile-detail", pk=reconciliation.pk)
    if _busy(reconciliation):
        messages.error(request, _("The recap is being checked; wait until it is done."))
        return redirect("billing:reconcile-detail", pk=reconciliation.pk)
    try:
        service.discard(by=user, reconciliation=reconciliation)
    except BillingError as error:
        messages.error(request, error.message)
        return redirect("billing:reconcile-detail", pk=reconciliation.pk)
    messages.success(request, _("The recap was discarded; nothing was saved."))
    return redirect("billing:reconcile-list")


def _latest_job(reconciliation: Reconciliation) -> Job | None:
    job = Job.objects.filter(kind=CHECK, key=str(reconciliation.pk)).first()
    if job is not None:
        fail_if_stale(job)
    return job


def _busy(reconciliation: Reconciliation) -> bool:
    job = _latest_job(reconciliation)
    return job is not None and job.active


def _in_scope(rows: pl.DataFrame, user: "User") -> pl.DataFrame:
    if rows.is_empty() or _whole(user):
        return rows
    return rows.filter(scope.expr(scope.codes_for(user), "desa_id"))


def _preview(request: HttpRequest, user: "User", reconciliation: Reconciliation) -> dict[str, Any]:
    """The counts, the chosen list's page of rows (with their messages), the code legend and
    the bills that saving moves (or moved)."""
    counts = {category: getattr(reconciliation, category) for category, _label in LISTS}
    chosen = request.GET.get("list", "")
    if chosen not in counts:
        chosen = next((c for c, _label in LISTS if counts[c]), check.Category.MATCHED)
    rows = _in_scope(service.checked_rows(reconciliation), user)
    if not rows.is_empty():
        rows = rows.filter(pl.col("category") == chosen)
    entries = [] if rows.is_empty() else list(rows.iter_rows(named=True))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry["message"] = words.message(entry, fiscal_year=reconciliation.fiscal_year)
    labels = dict(BillState.choices)
    return {
        "lists": [(c, label, counts[c]) for c, label in LISTS],
        "chosen": chosen,
        "page": page,
        "links": page_links(page.number, page.paginator.num_pages),
        "codes": [
            (code, _(words.CODE_LABELS.get(code, code)), n)
            for code, n in sorted(reconciliation.code_counts.items())
        ],
        "bills": [
            {**move, "before_label": labels[move["before"]], "after_label": labels[move["after"]]}
            for move in reconciliation.bills
        ],
        "earlier": (
            service.earlier_same_file(reconciliation)
            if reconciliation.status == ReconciliationStatus.CHECKED
            else None
        ),
    }
