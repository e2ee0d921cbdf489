"""Enrollment over the JSON API: a worker's participations by NIK (POSTed: a NIK never goes in
a URL), the registration batches and their state, the counts per state.

Scoped and masked like the pages: participations within the caller's wilayah (404 outside),
NIK masked without VIEW_NIK; batches name the workers of a whole wadah, so only roles that see
the whole deployment get them (`queries.visible_batches`); 100 batches a page, newest first,
with a keyset cursor.
"""

import datetime
import re
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from lindung.accounts.models import User
from lindung.enrollment import queries
from lindung.enrollment.models import Participation, RegistrationBatch, State
from lindung.formats import mask_nik
from lindung.registry.queries import visible_workers
from lindung.roles import Capability

router = Router(tags=["enrollment"])
PAGE = 100


class ParticipationOut(Schema):
    fiscal_year: int
    state: str = Field(description="CALON, DIAJUKAN, TERDAFTAR, DITOLAK, GANDA_AKTIF or BERAKHIR")
    source: str = Field(description="Funding source code of the policy, e.g. apbd")
    wadah: str | None = Field(description="Wadah code; null for a candidate not yet in a batch")
    kind: str = Field(description="new or renewal")
    kpj: str = Field(description="The BPJS TK participant number (11 digits) once known")
    effective_from: datetime.date | None = Field(description="Protected from (TMT)")
    ended_on: datetime.date | None
    end_reason: str
    reason: str = Field(description="The branch's words for a rejection")
    batch: int | None = Field(description="Id of the registration batch it was sent in")
    beneficiary_list: int = Field(description="Number of the approved list it comes from")


class WorkerParticipationsOut(Schema):
    worker_id: int
    nik: str = Field(description="Masked (5203********0001) for roles without VIEW_NIK")
    name: str
    participations: list[ParticipationOut] = Field(description="Newest first")


class LookupIn(Schema):
    nik: str = Field(max_length=40, description="16 digits; spaces, dots and dashes are ignored")


class BatchOut(Schema):
    id: int
    list: int = Field(description="Number of the approved list")
    fiscal_year: int
    wadah: str = Field(description="Wadah code")
    source: str
    kind: str = Field(description="new or renewal")
    start: datetime.date = Field(description="The first day of the first month paid")
    months: int
    workers: int
    registered: int
    rejected: int
    already_active: int
    waiting: int = Field(description="Workers the branch has not answered for yet")
    problems: int = Field(description="Candidates held back by the checks")
    status: str = Field(description="sent, partly, answered or cancelled")
    created_at: datetime.datetime


class BatchPageOut(Schema):
    items: list[BatchOut]
    next_cursor: str | None


class StatusRowOut(Schema):
    fiscal_year: int
    source: str
    wadah: str | None = Field(description="null: candidates not yet in a batch")
    states: dict[str, int] = Field(description="Participations per state")
    total: int


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # django_auth has let only logged-in users through
        raise PermissionDenied
    return request.user


def _participation_out(p: Participation) -> ParticipationOut:
    return ParticipationOut(
        fiscal_year=p.fiscal_year,
        state=p.state,
        source=p.source,
        wadah=p.wadah.code if p.wadah else None,
        kind=p.kind,
        kpj=p.kpj,
        effective_from=p.effective_from,
        ended_on=p.ended_on,
        end_reason=p.end_reason,
        reason=p.reason,
        batch=p.batch_id,
        beneficiary_list=p.beneficiary_list.number,
    )


@router.post("/participations/lookup", response=WorkerParticipationsOut)
def participation_lookup(request: HttpRequest, lookup: LookupIn) -> WorkerParticipationsOut:
    """A worker's participations by NIK, sent in the body; 404 when the worker is unknown or
    outside the caller's wilayah.

    Like every POST of a session, it needs the CSRF token in the X-CSRFToken header."""
    user = _user(request)
    nik = re.sub(r"[\s.\-]", "", lookup.nik)
    worker = visible_workers(user).filter(nik=nik).first()
    if worker is None:
        raise Http404
    participations = (
        queries.visible_participations(user)
        .filter(worker_id=worker.pk)
        .select_related("wadah", "beneficiary_list")
        .order_by("-fiscal_year", "-id")
    )
    return WorkerParticipationsOut(
        worker_id=worker.pk,
        nik=worker.nik if user.can(Capability.VIEW_NIK) else mask_nik(worker.nik),
        name=worker.name,
        participations=[_participation_out(p) for p in participations],
    )


def _batch_out(batch: RegistrationBatch) -> BatchOut:
    return BatchOut(
        id=batch.pk,
        list=batch.beneficiary_list.number,
        fiscal_year=batch.fiscal_year,
        wadah=batch.wadah.code,
        source=batch.source,
        kind=batch.kind,
        start=batch.start,
        months=batch.months,
        workers=batch.workers,
        registered=batch.registered,
        rejected=batch.rejected,
        already_active=batch.already_active,
        waiting=batch.waiting,
        problems=len(batch.problems),
        status=batch.status,
        created_at=batch.created_at,
    )


@router.get("/batches", response=BatchPageOut)
def batch_list(
    request: HttpRequest, fiscal_year: int | None = None, cursor: str = ""
) -> BatchPageOut:
    """Registration batches, newest first, 100 a page; pass next_cursor as `cursor`. Empty for
    roles bound to a kecamatan or desa (a batch holds the whole wadah's workers)."""
    batches = queries.visible_batches(_user(request))
    if fiscal_year is not None:
        batches = batches.filter(fiscal_year=fiscal_year)
    if cursor.isdigit():
        batches = batches.filter(pk__lt=int(cursor))
    found = list(batches.order_by("-pk")[: PAGE + 1])
    next_cursor = str(found[PAGE - 1].pk) if len(found) > PAGE else None
    return BatchPageOut(items=[_batch_out(b) for b in found[:PAGE]], next_cursor=next_cursor)


@router.get("/batches/{batch_id}", response=BatchOut)
def batch_detail(request: HttpRequest, batch_id: int) -> BatchOut:
    return _batch_out(get_object_or_404(queries.visible_batches(_user(request)), pk=batch_id))


@router.get("/status", response=list[StatusRowOut])
def status(request: HttpRequest, year: int | None = None) -> list[StatusRowOut]:
    """Participations counted per fiscal year, funding source, wadah and state, within the
    caller's wilayah (`lindung enroll status` counts the whole deployment)."""
    participations = queries.visible_participations(_user(request))
    if year is not None:
        participations = participations.filter(fiscal_year=year)
    years = participations.order_by("fiscal_year").values_list("fiscal_year", flat=True)
    rows: list[StatusRowOut] = []
    for fiscal_year in years.distinct():
        counts = queries.state_counts(participations.filter(fiscal_year=fiscal_year))
        grouped: dict[tuple[str, str], dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(State.values, 0)
        )
        for (source, wadah, state), n in counts.items():
            grouped[(source, wadah)][state] += n
        rows += [
            StatusRowOut(
                fiscal_year=fiscal_year,
                source=source,
                wadah=wadah or None,
                states=states,
                total=sum(states.values()),
            )
            for (source, wadah), states in sorted(grouped.items())
        ]
    return rows
