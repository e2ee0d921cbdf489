"""BPJS claim reports: upload the branch's report of paid claims, follow its check, read the
four lists (matched, new, unmatched, problems) with their row numbers, then save (Simpan) or
discard (Buang).

The upload is kept at once and checked by a background job (`reports.background`); the
report's page shows the job's progress, then the counts and the lists, each paged (PAGE_SIZE
rows). Every page takes CLAIM and a role that sees the whole regency (admin, operator
kabupaten, BPJS): a report spans every kecamatan and names workers Lindung does not know.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

import polars as pl
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lindung.claims.models import ClaimReport, ReportStatus
from lindung.claims.reports import check, service, words
from lindung.claims.reports.background import CHECK, start_check
from lindung.claims.reports.forms import ReportForm
from lindung.claims.states import ClaimError
from lindung.decorators import require, user_of
from lindung.jobs.models import Job
from lindung.jobs.services import fail_if_stale
from lindung.regions import scope
from lindung.registry.queries import page_links
from lindung.roles import Capability

PAGE_SIZE = 100
RECENT = 50  # reports listed
Status = check.Status
LISTS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("matched", gettext_lazy("Matched to a recorded claim"), (Status.MATCHED, Status.UNCHANGED)),
    ("new", gettext_lazy("New: paid by BPJS, not recorded"), (Status.NEW,)),
    ("unmatched", gettext_lazy("Unmatched: worker not in Lindung"), (Status.UNMATCHED,)),
    ("problems", gettext_lazy("Problems"), (Status.PROBLEM,)),
)
View = Callable[..., HttpResponseBase]


def whole_regency(view: View) -> View:
    """CLAIM and a role that sees the whole deployment (403 otherwise)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not scope.is_whole_deployment(scope.codes_for(user_of(request))):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return require(Capability.CLAIM)(wrapped)


@whole_regency
def report_list(request: HttpRequest) -> HttpResponse:
    recent = ClaimReport.objects.select_related("created_by")[:RECENT]
    return render(request, "claims/report_list.html", {"form": ReportForm(), "recent": recent})


@whole_regency
@require_POST
def report_upload(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("claims:report-list")
    upload = form.cleaned_data["file"]
    try:
        report = service.store(by=user, upload=upload, file_name=upload.name)
    except ClaimError as error:
        messages.error(request, str(error))
        return redirect("claims:report-list")
    start_check(by=user, report=report)
    return redirect("claims:report-detail", pk=report.pk)


@whole_regency
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        ClaimReport.objects.select_related("created_by", "decided_by"), pk=pk
    )
    job = _latest_job(report)
    context: dict[str, Any] = {
        "report": report,
        "job": job,
        "running": job is not None and job.active,
    }
    if report.status in (ReportStatus.CHECKED, ReportStatus.COMMITTED):
        context |= _preview(request, report)
    return render(request, "claims/report_detail.html", context)


@whole_regency
@require_POST
def report_commit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ClaimReport, pk=pk)
    if _busy(report):
        messages.error(request, _("The claim report is being checked; wait until it is done."))
        return redirect("claims:report-detail", pk=report.pk)
    try:
        service.commit(by=user_of(request), report=report)
    except ClaimError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The claim report was saved."))
    return redirect("claims:report-detail", pk=report.pk)


@whole_regency
@require_POST
def report_discard(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ClaimReport, pk=pk)
    if _busy(report):
        messages.error(request, _("The claim report is being checked; wait until it is done."))
        return redirect("claims:report-detail", pk=report.pk)
    try:
        service.discard(by=user_of(request), report=report)
    except ClaimError as error:
        messages.error(request, str(error))
        return redirect("claims:report-detail", pk=report.pk)
    messages.success(request, _("The claim report was discarded; nothing was saved."))
    return redirect("claims:report-list")


def _latest_job(report: ClaimReport) -> Job | None:
    job = Job.objects.filter(kind=CHECK, key=str(report.pk)).first()
    if job is not None:
        fail_if_stale(job)
    return job


def _busy(report: ClaimReport) -> bool:
    job = _latest_job(report)
    return job is not None and job.active


def _preview(request: HttpRequest, report: ClaimReport) -> dict[str, Any]:
    """The counts, the chosen list's page of rows with their messages."""
    counts = {
        "matched": report.matched,
        "new": report.new,
        "unmatched": report.unmatched,
        "problems": report.problems,
    }
    chosen = request.GET.get("list", "")
    if chosen not in counts:
        chosen = next(
            (name for name in ("problems", "unmatched", "new", "matched") if counts[name]),
            "matched",
        )
    statuses = next(s for name, _label, s in LISTS if name == chosen)
    every = service.checked_rows(report)
    rows = every.filter(pl.col("status").is_in([str(s) for s in statuses]))
    entries = list(rows.iter_rows(named=True))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry["messages"] = words.messages(entry)
        entry["status_label"] = _(words.STATUS_LABELS[entry["status"]])
        entry["kind_label"] = words.kind_label(entry["kind"])
    unchanged = every.filter(pl.col("status") == Status.UNCHANGED).height
    return {
        "lists": [(name, label, counts[name]) for name, label, _s in LISTS],
        "chosen": chosen,
        "unchanged": unchanged,
        "page": page,
        "links": page_links(page.number, page.paginator.num_pages),
        "earlier": (
            service.earlier_same_file(report) if report.status == ReportStatus.CHECKED else None
        ),
    }
