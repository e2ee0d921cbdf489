"""A claim's deadlines, and the worklist of what is late or waiting.

- KK1: 2 x 24 hours after the accident (JKK claims; for a death at work too);
- KK2: 2 x 24 hours after the doctor's final statement;
- BPJS: JKK 7 working days after a complete file is submitted (PP 44/2015 art. 37), JKM as the
  claim rules say; Indonesian working days (`workdays`).

The worklist: deaths with no claim after 30 days, files incomplete, BPJS late, forms late."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.claims import states
from lindung.claims.models import Claim, ClaimKind, ClaimState, Event, EventKind, Verdict
from lindung.claims.rules import current as claim_rules

LATE_FORMS_READ = 500  # open JKK claims read to find the late forms (the page shows 20)
JKK_KINDS = frozenset(
    {ClaimKind.JKK_DEATH, ClaimKind.JKK_DISABILITY, ClaimKind.STMB, ClaimKind.JKK_MEDICAL}
)


@dataclass(frozen=True)
class Deadline:
    code: str  # kk1, kk2, bpjs
    label: str
    due: datetime.datetime | datetime.date | None  # None: waits on an earlier step
    done: datetime.datetime | datetime.date | None
    late: bool


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def event_moment(event: Event) -> datetime.datetime:
    """When the event happened (the end of its day when the time is not known)."""
    moment = event.occurred_at or datetime.time(23, 59)
    return datetime.datetime.combine(event.occurred_on, moment, tzinfo=_zone())


def kk1_due(claim: Claim) -> datetime.datetime:
    return event_moment(claim.event) + datetime.timedelta(hours=claim_rules().kk1_hours)


def kk2_due(claim: Claim) -> datetime.datetime | None:
    if claim.doctor_statement_on is None:
        return None
    start = datetime.datetime.combine(claim.doctor_statement_on, datetime.time(23, 59), _zone())
    return start + datetime.timedelta(hours=claim_rules().kk2_hours)


def _late(
    due: datetime.datetime | datetime.date | None,
    done: datetime.datetime | datetime.date | None,
    now: datetime.datetime,
) -> bool:
    if due is None:
        return False
    if isinstance(due, datetime.datetime):
        return (done if isinstance(done, datetime.datetime) else now) > due
    mark = done if isinstance(done, datetime.date) else now.date()
    if isinstance(mark, datetime.datetime):
        mark = mark.date()
    return mark > due


def for_claim(claim: Claim, now: datetime.datetime | None = None) -> list[Deadline]:
    now = now or timezone.now()
    out = []
    if claim.kind in JKK_KINDS:
        due1 = kk1_due(claim)
        out.append(
            Deadline(
                "kk1",
                _("Form KK1 (2 x 24 hours after the accident)"),
                due1,
                claim.kk1_sent_at,
                _late(due1, claim.kk1_sent_at, now),
            )
        )
        if claim.kind != ClaimKind.JKK_MEDICAL:
            due2 = kk2_due(claim)
            out.append(
                Deadline(
                    "kk2",
                    _("Form KK2 (2 x 24 hours after the doctor's statement)"),
                    due2,
                    claim.kk2_sent_at,
                    _late(due2, claim.kk2_sent_at, now),
                )
            )
    paid = claim.paid_on if claim.state == ClaimState.DIBAYAR else None
    label = (
        _("BPJS pays (JKM, working days after submission)")
        if claim.kind == ClaimKind.JKM
        else _("BPJS pays (7 working days after the complete file)")
    )
    finished = claim.state in states.FINAL
    out.append(
        Deadline(
            "bpjs",
            label,
            claim.bpjs_due,
            paid,
            _late(claim.bpjs_due, paid, now) if (paid or not finished) else False,
        )
    )
    return out


# ---------------------------------------------------------------------------------------------
# The worklist (over a queryset the caller has scoped)


def deaths_without_claim(
    events: QuerySet[Event], on: datetime.date | None = None
) -> QuerySet[Event]:
    """Deaths of protected (or in grace) workers reported more than 30 days ago (the claim
    rules' days) without a claim that is open or paid."""
    day = on or timezone.localdate()
    limit = day - datetime.timedelta(days=claim_rules().death_without_claim_days)
    claimed = Claim.objects.filter(event=OuterRef("pk")).exclude(state=ClaimState.DITOLAK)
    return (
        events.filter(kind=EventKind.DEATH, occurred_on__lte=limit)
        .exclude(verdict=Verdict.NOT_PROTECTED)
        .filter(~Exists(claimed))
        .order_by("occurred_on")
    )


def incomplete(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    return claims.filter(state=ClaimState.DILAPORKAN).order_by("created_at")


def bpjs_late(claims: QuerySet[Claim], on: datetime.date | None = None) -> QuerySet[Claim]:
    day = on or timezone.localdate()
    return claims.filter(state=ClaimState.DIAJUKAN, bpjs_due__lt=day).order_by("bpjs_due")


def forms_late(claims: QuerySet[Claim], now: datetime.datetime | None = None) -> list[Claim]:
    """Open JKK claims whose KK1 or KK2 is past its 2 x 24 hours and not sent."""
    now = now or timezone.now()
    # In SQL, those that may be late (a form not sent two days after its start), at most a
    # few hundred; the exact hours are then checked on them.
    two_days_ago = timezone.localdate(now) - datetime.timedelta(days=2)
    maybe = Q(kk1_sent_at__isnull=True, event__occurred_on__lte=two_days_ago) | (
        Q(kk2_sent_at__isnull=True, doctor_statement_on__lte=two_days_ago)
        & ~Q(kind=ClaimKind.JKK_MEDICAL)
    )
    candidates = (
        claims.filter(maybe, state__in=states.OPEN, kind__in=JKK_KINDS)
        .select_related("event")
        .order_by("created_at")[:LATE_FORMS_READ]
    )
    return [
        claim
        for claim in candidates
        if any(
            d.late and d.done is None and d.code in ("kk1", "kk2") for d in for_claim(claim, now)
        )
    ]
