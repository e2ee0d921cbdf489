# Over 600 lines: every change to events and claims, one audited service each, in one place.
"""Every change to events and claims, each in one transaction with its audit event.

    event = report_event(by=user, worker=w, kind="death", occurred_on=d, place=…, cause=…)
    claim = open_claim(by=user, event=event, kind="jkm")
    claim = update_file(by=user, claim=claim, documents={…}, heirs=[…], …)
    claim = complete_file(by=user, claim=claim)         DILAPORKAN → BERKAS_LENGKAP
    claim = submit(by=user, claim=claim, on=d)          → DIAJUKAN (BPJS's deadline set)
    claim = mark_paid(by=user, claim=claim, paid_on=d, amount=n)    → DIBAYAR
    claim = reject(by=user, claim=claim, reason="…")    → DITOLAK
    claim = settle(by=user, claim=claim, paid_on=d, amount=n)       an open claim → DIBAYAR
    claim = record_bpjs_claim(by=user, participation=p, kind=…, event_date=…, paid_on=…, amount=…)

A reported death ends the worker's participations on the day of death, marks the worker
deceased and takes their later months off planned bills (months already paid come back as a
refund through billing). The verdict of the coverage ledger on the event's date is kept with the
event; a claim's amount comes from `rules.calculators.benefit` with the worker's reported income
and contribution years, and none when the worker was not protected.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor, actor_user
from lindung.audit.services import diff, record, snapshot
from lindung.billing.models import Bill, BillLine, BillState
from lindung.billing.services import drop_ended_lines
from lindung.claims import protection, states, workdays
from lindung.claims.models import (
    Cause,
    Claim,
    ClaimKind,
    ClaimState,
    Event,
    EventKind,
    Heir,
    Relation,
    Verdict,
)
from lindung.claims.rules import current as claim_rules
from lindung.claims.states import ClaimError
from lindung.enrollment.models import EndReason, Participation, State
from lindung.enrollment.services import end_participation
from lindung.regions import scope
from lindung.registry.models import Worker, WorkerStatus
from lindung.registry.services import set_worker_status
from lindung.rules.calculators import benefit
from lindung.rules.national import SCHOOL_LEVELS, RulesError, rules_for
from lindung.rules.policy import active_policy

S = ClaimState

# The benefits an event may lead to, by what happened and its cause.
KINDS_FOR: dict[tuple[str, str], tuple[str, ...]] = {
    (EventKind.DEATH, Cause.NOT_WORK): (ClaimKind.JKM,),
    (EventKind.DEATH, Cause.AT_WORK): (ClaimKind.JKK_DEATH,),
    (EventKind.DEATH, Cause.COMMUTING): (ClaimKind.JKK_DEATH,),
    (EventKind.ACCIDENT, Cause.AT_WORK): (
        ClaimKind.JKK_MEDICAL,
        ClaimKind.STMB,
        ClaimKind.JKK_DISABILITY,
    ),
    (EventKind.ACCIDENT, Cause.COMMUTING): (
        ClaimKind.JKK_MEDICAL,
        ClaimKind.STMB,
        ClaimKind.JKK_DISABILITY,
    ),
}
DEATH_KINDS = frozenset({ClaimKind.JKM, ClaimKind.JKK_DEATH})
SCHOLARSHIP_KINDS = frozenset({ClaimKind.JKM, ClaimKind.JKK_DEATH, ClaimKind.JKK_DISABILITY})


def today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------
# Events


@transaction.atomic
def report_event(
    *,
    by: Actor | None,
    worker: Worker,
    kind: str,
    occurred_on: datetime.date,
    place: str,
    cause: str,
    occurred_at: datetime.time | None = None,
    description: str = "",
) -> Event:
    """Record a death or an accident of `worker` with the ledger's verdict on that date. A
    death ends the participations (on the day of death), marks the worker deceased and takes
    the months after it off planned bills."""
    if kind not in EventKind.values:
        raise ClaimError(_("Choose what happened: a death or an accident."))
    if cause not in Cause.values:
        raise ClaimError(_("Choose the cause: at work, on the way to or from work, or not work."))
    if kind == EventKind.ACCIDENT and cause == Cause.NOT_WORK:
        raise ClaimError(
            _(
                "An accident not related to work is not covered by JKK: report only work "
                "accidents (at work or on the way)."
            )
        )
    if occurred_on > today():
        raise ClaimError(_("The date of the event cannot be in the future."))
    place = (place or "").strip()
    if not place:
        raise ClaimError(_("Enter where it happened (the place)."))
    if kind == EventKind.DEATH and Event.objects.filter(worker=worker, kind=kind).exists():
        raise ClaimError(_("A death of this worker has been reported already."))
    answer = protection.verdict(worker, on=occurred_on)
    event = Event.objects.create(
        worker=worker,
        participation=answer.participation,
        kind=kind,
        occurred_on=occurred_on,
        occurred_at=occurred_at,
        place=place[:200],
        cause=cause,
        description=(description or "").strip()[:500],
        kecamatan_id=worker.kecamatan_id or "",
        desa_id=worker.desa_id or "",
        fiscal_year=occurred_on.year,
        verdict=answer.verdict,
        verdict_reason=answer.reason[:300],
        protected_until=answer.protected_until,
        source=answer.source,
        reported_by=actor_user(by),
    )
    record(
        by=by,
        action=Action.EVENT_REPORTED,
        obj=event,
        after={
            "worker": worker.pk,
            "kind": kind,
            "occurred_on": occurred_on.isoformat(),
            "cause": cause,
            "verdict": answer.verdict,
        },
    )
    if kind == EventKind.DEATH:
        _end_for_death(by, worker, occurred_on)
    return event


def _end_for_death(by: Actor | None, worker: Worker, died_on: datetime.date) -> None:
    open_ones = Participation.objects.filter(worker_id=worker.pk).exclude(state=State.BERAKHIR)
    for participation in open_ones:
        end_participation(by=by, participation=participation, reason=EndReason.DIED, on=died_on)
    if worker.status != WorkerStatus.MENINGGAL:
        set_worker_status(by=actor_user(by), worker=worker, status=WorkerStatus.MENINGGAL)
    # The worker's lines through the participations' index (a handful), then which of their
    # bills are still planned: no join that would walk a whole bill.
    mine = set(
        BillLine.objects.filter(
            participation_id__in=list(
                Participation.objects.filter(worker_id=worker.pk).values_list("pk", flat=True)
            )
        ).values_list("bill_id", "participation_id")
    )
    open_bills = set(
        Bill.objects.filter(
            pk__in={bill for bill, _p in mine}, state=BillState.RENCANA
        ).values_list("pk", flat=True)
    )
    planned = {(bill, p) for bill, p in mine if bill in open_bills}
    if planned:  # only this worker's months, on the bills that hold them
        drop_ended_lines(
            by=by,
            bills=sorted({bill for bill, _p in planned}),
            participations=sorted({p for _bill, p in planned}),
        )


# ---------------------------------------------------------------------------------------------
# Claims


def _next_number(year: int) -> str:
    """KL-<year>-0001 on: the highest so far by length, then text (KL-2027-10000 comes after
    KL-2027-9999)."""
    prefix = f"KL-{year}-"
    last = (
        Claim.objects.filter(number__startswith=prefix)
        .annotate(size=Length("number"))
        .order_by("-size", "-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.removeprefix(prefix)) + 1) if last else 1:04d}"


def _income(claim: Claim) -> int:
    """The income the worker's kabupaten/kota reports for its sponsored workers (its policy)."""
    policy, _version = active_policy(scope.kabupaten_of(claim.kecamatan_id))
    return int(policy.reported_income)


def children_of(claim: Claim) -> list[str]:
    """School levels of the heirs' children at school, in the order entered (at most two)."""
    levels = [
        h.school_level
        for h in claim.heirs.order_by("pk")
        if h.relation == Relation.CHILD and h.school_level
    ]
    return levels[:2]


def price(claim: Claim) -> Claim:
    """Fill the claim's amount from the rules (not saved): `expected_amount`, `breakdown`,
    `amount_note`. None when the worker was not protected on the event's date, for medical
    care (paid as the hospital bills it) and for JKM before the minimum paid months."""
    event = claim.event
    rules_of = claim_rules()
    months_paid = protection.paid_months(claim.worker, until=event.occurred_on)
    claim.contribution_years = months_paid // 12
    claim.expected_amount = None
    claim.breakdown = []
    claim.amount_note = ""
    if event.verdict == Verdict.NOT_PROTECTED:
        claim.amount_note = _("No benefit: not protected on the day. %(why)s") % {
            "why": event.verdict_reason
        }
        return claim
    if claim.kind == ClaimKind.JKK_MEDICAL:
        claim.amount_note = _("Medical care is paid as the hospital bills it, without a ceiling.")
        return claim
    if claim.kind == ClaimKind.JKM and months_paid < rules_of.jkm_min_paid_months:
        claim.amount_note = _(
            "Fewer than %(months)s paid months before the death (%(paid)s): BPJS may refuse the "
            "JKM benefit (a rule reported by one regency, not verified)."
        ) % {"months": rules_of.jkm_min_paid_months, "paid": months_paid}
    income = claim.income or _income(claim)
    claim.income = income
    try:
        answer = benefit(
            str(claim.kind),
            income=income,
            months=claim.months_off,
            contribution_years=claim.contribution_years,
            children=children_of(claim) if claim.pk and claim.kind in SCHOLARSHIP_KINDS else (),
            parts=list(claim.parts or ()) if claim.kind == ClaimKind.JKK_DISABILITY else (),
            rules=rules_for(event.occurred_on),
        )
    except RulesError as error:
        raise ClaimError(str(error)) from error
    claim.expected_amount = answer.total
    claim.breakdown = [[str(label), int(amount)] for label, amount in answer.breakdown]
    claim.rules_version = rules_for(event.occurred_on).version
    if event.verdict == Verdict.IN_GRACE:
        note = _("Paid only once the arrears are paid: %(why)s") % {"why": event.verdict_reason}
        claim.amount_note = (claim.amount_note + " " + note).strip()[:300]
    return claim


@transaction.atomic
def open_claim(
    *,
    by: Actor | None,
    event: Event,
    kind: str,
    months_off: int | None = None,
    parts: Sequence[str] = (),
    note: str = "",
) -> Claim:
    """A claim of `kind` for `event`, its amount from the rules. One claim per event and kind
    (an STMB claim may follow a medical one for the same accident)."""
    allowed = KINDS_FOR.get((event.kind, event.cause), ())
    if kind not in allowed:
        raise ClaimError(
            _("This event cannot lead to a %(kind)s claim: choose from %(allowed)s.")
            % {
                "kind": ClaimKind(kind).label if kind in ClaimKind.values else kind,
                "allowed": ", ".join(str(ClaimKind(k).label) for k in allowed),
            }
        )
    if Claim.objects.filter(event=event, kind=kind).exclude(state=S.DITOLAK).exists():
        raise ClaimError(_("This event has an open or paid claim of this kind already."))
    if kind == ClaimKind.STMB and (months_off is None or months_off < 1):
        raise ClaimError(_("Enter the months off work (1 or more) for an STMB claim."))
    claim = Claim(
        event=event,
        worker=event.worker,
        kind=kind,
        fiscal_year=event.fiscal_year,
        source=event.source,
        kecamatan_id=event.kecamatan_id,
        desa_id=event.desa_id,
        months_off=months_off,
        parts=list(parts),
        note=(note or "").strip()[:300],
        created_by=actor_user(by),
    )
    price(claim)
    _save_numbered(claim)
    record(
        by=by,
        action=Action.CLAIM_OPENED,
        obj=claim,
        after={"kind": kind, "event": event.pk, "expected_amount": claim.expected_amount},
    )
    return claim


NUMBER_TRIES = 5


def _save_numbered(claim: Claim) -> None:
    """Save a new claim under the next free number. Two claims opened at the same moment may
    both be given the same one: the second's insert fails on the unique number, and it takes
    the next (a savepoint keeps the outer transaction usable)."""
    for attempt in range(NUMBER_TRIES):
        claim.number = _next_number(claim.fiscal_year)
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError:
            if attempt == NUMBER_TRIES - 1:
                raise
            claim.pk = None
            continue
        return


FILE_FIELDS = ("documents", "doctor_statement_on", "kk1_sent_at", "kk2_sent_at", "note")


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("event", "worker").get(pk=claim.pk)


@transaction.atomic
def update_file(
    *,
    by: Actor | None,
    claim: Claim,
    documents: Iterable[str] | None = None,
    heirs: Sequence[Mapping[str, Any]] | None = None,
    months_off: int | None = None,
    parts: Sequence[str] | None = None,
    **fields: Any,
) -> Claim:
    """Change an open claim's file: documents received (codes), heirs (the whole list, in the
    legal order), the form dates, the doctor's statement, months off work (STMB) or body parts
    (partial disability). The amount is worked out again (children may change it)."""
    locked = _locked(claim)
    if locked.state in states.FINAL or locked.state == S.DIAJUKAN:
        raise ClaimError(_("The file of a claim submitted to BPJS cannot change."))
    unknown = set(fields) - set(FILE_FIELDS)
    if unknown:
        raise ClaimError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    names = [*FILE_FIELDS, "months_off", "parts", "expected_amount"]
    before = snapshot(locked, names)
    before["heirs"] = _heirs_text(locked)
    if documents is not None:
        road = locked.event.cause == Cause.COMMUTING
        known = {code for code, _label in claim_rules().documents_for(locked.kind, road=road)}
        locked.documents = {code: True for code in documents if code in known}
    for name, value in fields.items():
        setattr(locked, name, value)
    if months_off is not None:
        if locked.kind == ClaimKind.STMB and months_off < 1:
            raise ClaimError(_("Enter the months off work (1 or more) for an STMB claim."))
        locked.months_off = months_off
    if parts is not None:
        locked.parts = list(parts)
    if heirs is not None:
        _replace_heirs(locked, heirs)
    price(locked)
    locked.save()
    after = snapshot(locked, names)
    after["heirs"] = _heirs_text(locked)
    old, new = diff(before, after)
    if old or new:
        record(by=by, action=Action.CLAIM_UPDATED, obj=locked, before=old, after=new)
    return locked


def _heirs_text(claim: Claim) -> str:
    # for the audit trail: relation and school level only (no names or NIKs in the trail)
    return ", ".join(f"{h.relation}:{h.school_level or '-'}" for h in claim.heirs.order_by("pk"))


def _replace_heirs(claim: Claim, heirs: Sequence[Mapping[str, Any]]) -> None:
    order = {code: n for n, code in enumerate(claim_rules().heir_order)}
    rows = []
    for number, heir in enumerate(heirs, start=1):
        relation = str(heir.get("relation") or "")
        name = str(heir.get("name") or "").strip()
        if relation not in Relation.values:
            raise ClaimError(_("Heir %(n)s: choose the relation.") % {"n": number})
        if not name:
            raise ClaimError(_("Heir %(n)s: enter the name.") % {"n": number})
        nik = str(heir.get("nik") or "").strip()
        if nik and (len(nik) != 16 or not nik.isdigit()):
            raise ClaimError(_("Heir %(n)s: a NIK has 16 digits.") % {"n": number})
        level = str(heir.get("school_level") or "")
        if level and level not in SCHOOL_LEVELS:
            raise ClaimError(_("Heir %(n)s: unknown school level.") % {"n": number})
        if level and relation != Relation.CHILD:
            raise ClaimError(
                _("Heir %(n)s: only a child gets the scholarship (school level).") % {"n": number}
            )
        rows.append(
            Heir(
                claim=claim,
                relation=relation,
                name=name[:150],
                nik=nik,
                birth_date=heir.get("birth_date") or None,
                school_level=level,
            )
        )
    rows.sort(key=lambda h: order.get(h.relation, len(order)))  # the legal order, stable
    claim.heirs.all().delete()
    Heir.objects.bulk_create(rows)


def missing_documents(claim: Claim) -> list[tuple[str, str]]:
    road = claim.event.cause == Cause.COMMUTING
    have = claim.documents or {}
    return [
        (code, label)
        for code, label in claim_rules().documents_for(claim.kind, road=road)
        if not have.get(code)
    ]


def _move(by: Actor | None, claim: Claim, target: str, action: Action, **fields: Any) -> Claim:
    locked = _locked(claim)
    states.check(locked.state, target)
    names = ["state", *fields]
    before = snapshot(locked, names)
    locked.state = target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    old, new = diff(before, snapshot(locked, names))
    record(by=by, action=action, obj=locked, before=old, after=new)
    return locked


@transaction.atomic
def complete_file(*, by: Actor | None, claim: Claim, on: datetime.date | None = None) -> Claim:
    """Every document received (and the heirs named for a death): BERKAS_LENGKAP."""
    locked = _locked(claim)
    missing = missing_documents(locked)
    if missing:
        raise ClaimError(
            _("The file is not complete: %(missing)s.")
            % {"missing": ", ".join(label for _code, label in missing)}
        )
    if locked.kind in DEATH_KINDS and not locked.heirs.exists():
        raise ClaimError(_("Name the heirs before the file is complete."))
    return _move(by, locked, S.BERKAS_LENGKAP, Action.CLAIM_COMPLETE, complete_on=on or today())


def bpjs_due(claim: Claim, submitted_on: datetime.date) -> datetime.date:
    """When BPJS should pay: JKK 7 working days after a complete file (PP 44/2015 art. 37),
    JKM as the claim rules say (about 3 days in practice)."""
    rules_of = claim_rules()
    days = rules_of.jkm_working_days if claim.kind == ClaimKind.JKM else rules_of.jkk_working_days
    return workdays.add_working_days(max(submitted_on, claim.complete_on or submitted_on), days)


@transaction.atomic
def submit(
    *, by: Actor | None, claim: Claim, on: datetime.date | None = None, bpjs_number: str = ""
) -> Claim:
    """The complete file handed to BPJS TK: DIAJUKAN, with the date BPJS should pay by."""
    day = on or today()
    if day > today():
        raise ClaimError(_("The submission date cannot be in the future."))
    locked = _locked(claim)
    if locked.complete_on and day < locked.complete_on:
        raise ClaimError(_("The submission date cannot be before the file was complete."))
    return _move(
        by,
        locked,
        S.DIAJUKAN,
        Action.CLAIM_SUBMITTED,
        submitted_on=day,
        bpjs_due=bpjs_due(locked, day),
        bpjs_number=(bpjs_number or locked.bpjs_number).strip()[:40],
    )


def _check_payment(claim: Claim, paid_on: datetime.date, amount: int) -> None:
    if amount <= 0:
        raise ClaimError(_("The amount paid must be more than zero."))
    if paid_on > today():
        raise ClaimError(_("The payment date cannot be in the future."))
    if paid_on < claim.event.occurred_on:
        raise ClaimError(_("The payment date cannot be before the event."))


@transaction.atomic
def mark_paid(
    *,
    by: Actor | None,
    claim: Claim,
    paid_on: datetime.date,
    amount: int,
    bpjs_number: str = "",
) -> Claim:
    """BPJS TK paid the claim: DIBAYAR with the date and the amount paid."""
    locked = _locked(claim)
    _check_payment(locked, paid_on, amount)
    if locked.submitted_on and paid_on < locked.submitted_on:
        raise ClaimError(_("The payment date cannot be before the submission."))
    return _move(
        by,
        locked,
        S.DIBAYAR,
        Action.CLAIM_PAID,
        paid_on=paid_on,
        paid_amount=int(amount),
        bpjs_number=(bpjs_number or locked.bpjs_number).strip()[:40],
    )


@transaction.atomic
def reject(*, by: Actor | None, claim: Claim, reason: str) -> Claim:
    reason = (reason or "").strip()
    if not reason:
        raise ClaimError(_("Enter why BPJS refused the claim."))
    return _move(by, claim, S.DITOLAK, Action.CLAIM_REJECTED, rejected_reason=reason[:300])


@transaction.atomic
def settle(
    *,
    by: Actor | None,
    claim: Claim,
    paid_on: datetime.date,
    amount: int,
    bpjs_number: str = "",
) -> Claim:
    """The branch's claim report says it paid this open claim: DIBAYAR from any open state
    (the branch had the file), audited as a payment."""
    locked = _locked(claim)
    if locked.state not in states.OPEN:
        raise ClaimError(
            _("Claim %(number)s is %(state)s already.")
            % {"number": locked.number, "state": S(locked.state).label}
        )
    _check_payment(locked, paid_on, amount)
    names = ["state", "paid_on", "paid_amount", "bpjs_number"]
    before = snapshot(locked, names)
    locked.state = S.DIBAYAR
    locked.paid_on = paid_on
    locked.paid_amount = int(amount)
    locked.bpjs_number = (bpjs_number or locked.bpjs_number).strip()[:40]
    locked.save()
    old, new = diff(before, snapshot(locked, names))
    record(by=by, action=Action.CLAIM_PAID, obj=locked, before=old, after=new)
    return locked


@transaction.atomic
def record_bpjs_claim(
    *,
    by: Actor | None,
    participation: Participation,
    kind: str,
    event_date: datetime.date,
    paid_on: datetime.date,
    amount: int,
    bpjs_number: str = "",
) -> Claim:
    """A claim the branch paid that nobody reported here: the event (a death for JKM and JKK
    death, else a work accident), then the claim, straight to DIBAYAR."""
    if kind not in ClaimKind.values:
        raise ClaimError(_("Unknown claim type %(kind)s.") % {"kind": kind})
    worker = Worker.objects.get(pk=participation.worker_id)
    death = kind in DEATH_KINDS
    event_kind = EventKind.DEATH if death else EventKind.ACCIDENT
    event = (
        Event.objects.filter(worker=worker, kind=event_kind, occurred_on=event_date).first()
        if not death
        else Event.objects.filter(worker=worker, kind=EventKind.DEATH).first()
    )
    if event is None:
        event = report_event(
            by=by,
            worker=worker,
            kind=event_kind,
            occurred_on=event_date,
            place=_("(from the BPJS claim report)"),
            cause=Cause.NOT_WORK if kind == ClaimKind.JKM else Cause.AT_WORK,
        )
    claim = open_claim(
        by=by,
        event=event,
        kind=kind,
        months_off=1 if kind == ClaimKind.STMB else None,
        note=_("Recorded from the BPJS claim report."),
    )
    return settle(by=by, claim=claim, paid_on=paid_on, amount=amount, bpjs_number=bpjs_number)


@transaction.atomic
def record_export(*, by: Actor | None, filters: Mapping[str, str], rows: int) -> None:
    """An XLSX of claims was downloaded: who, with which filters, how many rows (no names)."""
    record(by=by, action=Action.CLAIMS_EXPORTED, after={"filters": dict(filters), "rows": rows})
