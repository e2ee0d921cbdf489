"""The enrollment overview of a fiscal year, making a registration batch, a batch's page, its
files and its cancellation.

Everyone logged in opens the overview, counted within their own wilayah
(`queries.visible_participations`); pimpinan (no VIEW_PERSONS) sees the counts only, with the
small ones hidden as on the dashboard, and no link to a page that names persons. A batch names
workers of the whole wadah: only roles that see the whole deployment and persons open it
(`queries.visible_batches`; anyone else gets a 404). Making and cancelling a batch takes ENROLL
and EDIT_DATA; downloading its file ENROLL (the BPJS officer too), and every download is audited.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.accounts.models import User
from lindung.audit.actions import Action
from lindung.audit.services import record
from lindung.decorators import require, user_of
from lindung.enrollment.background import start_batch
from lindung.enrollment.batches import batch_files, cancel_batch, default_start
from lindung.enrollment.forms import AnswerForm, BatchForm, YearForm
from lindung.enrollment.models import (
    BatchStatus,
    Kind,
    Participation,
    RegistrationBatch,
    State,
    Wadah,
)
from lindung.enrollment.queries import count_table, totals, visible_batches, visible_participations
from lindung.enrollment.services import EnrollmentError, sync_list
from lindung.formats import month_name
from lindung.htmx import HtmxHttpRequest
from lindung.jobs.models import JobStatus
from lindung.jobs.views import respond_with_job
from lindung.regions.scope import kabupaten_for
from lindung.regions.working import offer_switch, working_kabupaten
from lindung.roles import Capability
from lindung.targeting.lists import current_list, in_areas, source_labels
from lindung.targeting.models import BeneficiaryList
from lindung.ui.downloads import send_stored

BATCHES_SHOWN = 200
FORMATS = ("xlsx", "csv")


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return _overview_page(request, request.GET, batch_form=None)


@require(Capability.ENROLL)
@require(Capability.EDIT_DATA)
@require_POST
def batch_new(request: HtmxHttpRequest) -> HttpResponseBase:
    """Make a batch of the list in force as a background job: its page, then the batch."""
    user = user_of(request)
    form = BatchForm(request.POST)
    if not form.is_valid():
        year = form.cleaned_data.get("fiscal_year")
        return _overview_page(request, {"tahun": str(year or "")}, batch_form=form, status=400)
    data = form.cleaned_data
    approved, wadah, kind = data["approved"], data["wadah"], data["kind"]
    sync_list(by=user, beneficiary_list=approved)  # the list's latest changes first
    back = reverse("enrollment:overview") + f"?tahun={approved.fiscal_year}"
    if not _has_candidates(approved, wadah, kind):
        messages.error(
            request,
            _("List %(number)s has no %(kind)s candidates for wadah %(code)s.")
            % {"number": approved.number, "kind": Kind(kind).label, "code": wadah.code},
        )
        return redirect(back)
    job = start_batch(
        by=user, beneficiary_list=approved, wadah=wadah, start=data["start_date"], kind=kind
    )
    if job.status == JobStatus.FAILED:  # jobs that run in the request fail at once
        messages.error(request, job.error)
        return redirect(back)
    return respond_with_job(request, job)


@require(Capability.VIEW_PERSONS)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    batch = get_object_or_404(visible_batches(user).select_related("created_by"), pk=pk)
    counts = dict(
        Participation.objects.filter(batch=batch)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
        .order_by()
    )
    context = {
        "batch": batch,
        "start_month": f"{month_name(batch.start.month)} {batch.start.year}",
        "state_counts": [(State(s).label, s, counts[s]) for s in State.values if counts.get(s)],
        "files": batch_files(batch),
        "answers": batch.answers.select_related("created_by"),
        "can_download": user.can(Capability.ENROLL),
        "upload_form": _upload_form(user, batch),
        "can_cancel": _can_cancel(user, batch),
    }
    return render(request, "enrollment/batch_detail.html", context)


@require(Capability.ENROLL)
def batch_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The batch's file as it was sent (XLSX or CSV); taking personal data out is audited."""
    user = user_of(request)
    batch = get_object_or_404(visible_batches(user), pk=pk)
    path = batch_files(batch).get(fmt) if fmt in FORMATS else None
    if path is None:
        raise Http404
    response = send_stored(f"{path.stem}-batch-{batch.pk}{path.suffix}", path)
    with transaction.atomic():
        record(
            by=user,
            action=Action.BATCH_DOWNLOADED,
            obj=batch,
            after={"format": fmt, "workers": batch.workers, "wadah": batch.wadah.code},
        )
    return response


@require(Capability.ENROLL)
@require(Capability.EDIT_DATA)
@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    batch = get_object_or_404(visible_batches(user), pk=pk)
    try:
        cancel_batch(by=user, batch=batch)
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Batch %(number)s was cancelled: its workers are candidates again.")
            % {"number": batch.pk},
        )
    return redirect("enrollment:batch-detail", pk=batch.pk)


# --- the overview --------------------------------------------------------------------------------
def _overview_page(
    request: HttpRequest, query: Any, *, batch_form: BatchForm | None, status: int = 200
) -> HttpResponse:
    user = user_of(request)
    kabupaten = working_kabupaten(request)  # None: a user of several who has not chosen
    offer_switch(request)
    lists = BeneficiaryList.objects.filter(kabupaten__in=kabupaten_for(user))
    if kabupaten is not None:
        lists = lists.filter(kabupaten=kabupaten)
    newest_first = list(lists.order_by("-number").values_list("fiscal_year", flat=True))
    years = sorted(set(newest_first), reverse=True)
    year_form = YearForm(query if query.get("tahun") else None, years=years)
    year = year_form.cleaned_data["tahun"] if year_form.is_valid() else None
    year = year or (newest_first[0] if newest_first else None)
    approved = current_list(year, kabupaten) if year and kabupaten else None
    labels = source_labels(approved.scenario) if approved else {}
    participations = visible_participations(user).filter(fiscal_year=year or 0)
    if kabupaten is not None:
        participations = in_areas(participations, [kabupaten])
    rows = count_table(participations, labels)
    table = _table(rows, hide_small=not user.can(Capability.VIEW_PERSONS))
    context: dict[str, Any] = {
        "year": year,
        "year_form": year_form if years else None,
        "approved": approved,
        "table": table,
        "states": State.choices,
        "can_view_persons": user.can(Capability.VIEW_PERSONS),
        "can_configure": user.can(Capability.CONFIGURE),
        "batches": _batches(user, year),
    }
    context |= _batch_form_context(user, approved, batch_form)
    return render(request, "enrollment/overview.html", context, status=status)


def _batches(user: User, year: int | None) -> Sequence[RegistrationBatch]:
    if year is None or not user.can(Capability.VIEW_PERSONS):
        return []
    return list(visible_batches(user).filter(fiscal_year=year)[:BATCHES_SHOWN])


def _batch_form_context(
    user: User, approved: BeneficiaryList | None, form: BatchForm | None
) -> dict[str, Any]:
    """The form that makes a batch, for those who may; or why there is none."""
    if approved is None or not (user.can(Capability.ENROLL) and user.can(Capability.EDIT_DATA)):
        return {}
    mine = Wadah.objects.filter(active=True, kabupaten=approved.kabupaten)
    active = list(mine.values_list("pk", flat=True)[:2])
    if not active:
        return {"no_wadah": True, "can_configure": user.can(Capability.CONFIGURE)}
    start = default_start(approved.fiscal_year)
    initial = {"fiscal_year": approved.fiscal_year, "kind": Kind.NEW, "start": f"{start:%Y-%m}"}
    if len(active) == 1:  # the one wadah there is, chosen already
        initial["wadah"] = active[0]
    return {"batch_form": form or BatchForm(initial=initial)}


def _has_candidates(approved: BeneficiaryList, wadah: Wadah, kind: str) -> bool:
    """Whether the list has candidates of `kind` for the wadah's source (and area) to send."""
    candidates = Participation.objects.filter(
        beneficiary_list=approved, state=State.CALON, source=wadah.source, kind=kind
    )
    if wadah.area:
        candidates = in_areas(candidates, [wadah.area])
    return candidates.exists()


# --- counts, small ones hidden from those who do not see persons -------------------------------
HIDDEN_MARK = "x"  # the dashboard's mark: a small count and its companions look the same
SMALL_CELL = 5
_TOTAL = "total"
Key = tuple[int | str, str]  # (row number or "all", state or "total")


@dataclass(frozen=True)
class Figure:
    value: int
    hidden: bool = False


def _table(rows: list[dict[str, Any]], *, hide_small: bool) -> dict[str, Any]:
    """The count table as figures: per row the states and the row's total, then the totals."""
    sums = totals(rows)
    cells: dict[Key, int] = {(i, _TOTAL): row["total"] for i, row in enumerate(rows)}
    cells |= {(i, s): row["by_state"][s] for i, row in enumerate(rows) for s in State.values}
    cells |= {("all", s): sums[s] for s in State.values}
    cells[("all", _TOTAL)] = sum(sums.values())
    hidden = _hidden(cells, len(rows)) if hide_small else set()

    def figures(key: int | str) -> list[Figure]:
        return [Figure(cells[(key, s)], (key, s) in hidden) for s in [*State.values, _TOTAL]]

    return {
        "rows": [(row, figures(i)) for i, row in enumerate(rows)],
        "totals": figures("all"),
        "any_hidden": bool(hidden),
        "mark": HIDDEN_MARK,
    }


def _hidden(cells: dict[Key, int], height: int) -> set[Key]:
    """The counts to hide: those from 1 to 4, and enough companions that none comes back as a
    total less the others (dashboard.disclosure's rule, applied to rows, columns and totals)."""
    states = State.values
    groups: list[tuple[Key, list[Key]]] = [
        ((i, _TOTAL), [(i, s) for s in states]) for i in range(height)
    ]
    groups += [(("all", s), [(i, s) for i in range(height)]) for s in states]
    groups += [(("all", _TOTAL), [(i, _TOTAL) for i in range(height)])]
    groups += [(("all", _TOTAL), [("all", s) for s in states])]
    hidden = {key for key, value in cells.items() if 0 < value < SMALL_CELL}
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            values = [cells[p] for p in parts]
            hide = [
                v > 0 and (p in hidden or total in hidden)
                for p, v in zip(parts, values, strict=True)
            ]
            while not _safe(values, hide):
                shown = [(v, j) for j, v in enumerate(values) if v > 0 and not hide[j]]
                if not shown:
                    break
                hide[min(shown)[1]] = True
            for part, flag in zip(parts, hide, strict=True):
                if flag and part not in hidden:
                    hidden.add(part)
                    changed = True
    return hidden


def _safe(values: list[int], hide: list[bool]) -> bool:
    hidden = [v for v, h in zip(values, hide, strict=True) if h]
    return not hidden or (len(hidden) >= 2 and sum(hidden) >= SMALL_CELL)


# --- the batch page ------------------------------------------------------------------------------
def _upload_form(user: User, batch: RegistrationBatch) -> AnswerForm | None:
    if not user.can(Capability.ENROLL) or batch.status == BatchStatus.CANCELLED:
        return None
    return AnswerForm()


def _can_cancel(user: User, batch: RegistrationBatch) -> bool:
    answered = batch.registered or batch.rejected or batch.already_active
    return (
        user.can(Capability.ENROLL)
        and user.can(Capability.EDIT_DATA)
        and batch.status == BatchStatus.SENT
        and not answered
    )
