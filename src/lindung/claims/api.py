"""Claims over the JSON API: the claims (filtered, 100 a page) and one claim by its number.

Scoped like the pages: only roles that see persons get claims (pimpinan: 403), within their
wilayah (404 for one outside it); NIKs of the worker and the heirs are masked for roles
without VIEW_NIK."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from lindung.accounts.models import User
from lindung.claims import impact as figures
from lindung.claims import queries
from lindung.claims.models import Claim
from lindung.formats import mask_nik
from lindung.regions import scope
from lindung.roles import Capability

router = Router(tags=["claims"])
PAGE = 100


class ClaimOut(Schema):
    number: str = Field(description="Lindung's claim number, e.g. KL-2027-0001")
    kind: str = Field(description="jkm, jkk-death, jkk-disability, stmb or jkk-medical")
    state: str = Field(description="DILAPORKAN, BERKAS_LENGKAP, DIAJUKAN, DIBAYAR or DITOLAK")
    fiscal_year: int
    source: str = Field(description="Who paid the contributions on the event's date")
    kecamatan: str
    desa: str
    event: str = Field(description="death or accident")
    event_date: datetime.date
    cause: str = Field(description="at_work, commuting or not_work")
    verdict: str = Field(description="protected, in_grace or not_protected on the event's date")
    verdict_reason: str
    expected_amount: int | None = Field(description="Rupiah by the rules; null: none")
    submitted_on: datetime.date | None
    bpjs_due: datetime.date | None
    paid_on: datetime.date | None
    paid_amount: int | None
    rejected_reason: str


class HeirOut(Schema):
    relation: str
    name: str
    nik: str
    school_level: str


class ClaimDetailOut(ClaimOut):
    worker_name: str
    worker_nik: str
    breakdown: list[tuple[str, int]]
    amount_note: str
    heirs: list[HeirOut]


class ClaimPageOut(Schema):
    items: list[ClaimOut]
    page: int
    pages: int
    count: int


def _reader(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not queries.sees_claims(user):
        raise PermissionDenied
    return user


def _fields(claim: Claim) -> dict[str, object]:
    event = claim.event
    return {
        "number": claim.number,
        "kind": claim.kind,
        "state": claim.state,
        "fiscal_year": claim.fiscal_year,
        "source": claim.source,
        "kecamatan": claim.kecamatan_id,
        "desa": claim.desa_id,
        "event": event.kind,
        "event_date": event.occurred_on,
        "cause": event.cause,
        "verdict": event.verdict,
        "verdict_reason": event.verdict_reason,
        "expected_amount": claim.expected_amount,
        "submitted_on": claim.submitted_on,
        "bpjs_due": claim.bpjs_due,
        "paid_on": claim.paid_on,
        "paid_amount": claim.paid_amount,
        "rejected_reason": claim.rejected_reason,
    }


@router.get("/", response=ClaimPageOut, summary="Claims in your wilayah")
def claim_list(
    request: HttpRequest,
    year: int | None = None,
    state: str | None = None,
    kind: str | None = None,
    page: int = 1,
) -> ClaimPageOut:
    claims = queries.visible_claims(_reader(request)).order_by("-created_at", "-pk")
    if year:
        claims = claims.filter(fiscal_year=year)
    if state:
        claims = claims.filter(state=state)
    if kind:
        claims = claims.filter(kind=kind)
    count = claims.count()
    pages = max(1, -(-count // PAGE))
    page = min(max(page, 1), pages)
    items = [ClaimOut(**_fields(c)) for c in claims[(page - 1) * PAGE : page * PAGE]]  # type: ignore[arg-type]
    return ClaimPageOut(items=items, page=page, pages=pages, count=count)


@router.get("/impact", summary="The impact of a fiscal year in your wilayah")
def impact_of(request: HttpRequest, year: int) -> dict[str, Any]:
    """The `lindung impact --json` object for `year` within the caller's wilayah; for roles
    that see no persons (pimpinan) small counts read "< 5" as on the impact page."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    codes = scope.codes_for(user)
    if not codes:
        raise PermissionDenied
    result = figures.cached_impact(year, None if scope.is_whole_deployment(codes) else codes)
    return result if user.can(Capability.VIEW_PERSONS) else figures.conceal(result)


@router.get("/{number}", response=ClaimDetailOut, summary="One claim")
def claim_detail(request: HttpRequest, number: str) -> ClaimDetailOut:
    user = _reader(request)
    claim = get_object_or_404(queries.visible_claims(user), number=number)
    see_nik = user.can(Capability.VIEW_NIK)

    def nik(value: str) -> str:
        return value if see_nik else mask_nik(value)

    return ClaimDetailOut(
        **_fields(claim),  # type: ignore[arg-type]
        worker_name=claim.worker.name,
        worker_nik=nik(claim.worker.nik),
        breakdown=[(str(label), int(amount)) for label, amount in claim.breakdown],
        amount_note=claim.amount_note,
        heirs=[
            HeirOut(relation=h.relation, name=h.name, nik=nik(h.nik), school_level=h.school_level)
            for h in claim.heirs.order_by("pk")
        ],
    )
