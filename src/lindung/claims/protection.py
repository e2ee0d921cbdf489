"""Was a worker protected on a date? The coverage ledger's answer for one worker, with the
reason in words when not: the accountability the regency owes a family.

    v = verdict(worker, on=date)
    v.verdict           protected / in_grace / not_protected
    v.reason            "Iuran APBD dibayar sampai 30 Juni 2027", "Tidak aktif sejak …"
    v.protected_until   the end of the paid period covering the date
    v.participation     the participation that answers (None: none that year)
    v.source            who pays (a funding source code, or mandiri)

Sponsored workers are read from the ledger (`billing.ledger.standing`); a worker who pays
themself is protected while their known "paid until" covers the date."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from lindung.billing import queries as billing_queries
from lindung.billing.ledger import GRACE_MONTHS, Status, standing
from lindung.billing.models import Bill, PaidPeriod
from lindung.claims.models import Verdict
from lindung.enrollment.models import EndReason, Participation
from lindung.formats import format_date, month_name
from lindung.registry.models import SelfPayment, Worker
from lindung.rules.national import SELF_PAID


@dataclass(frozen=True)
class Answer:
    verdict: str
    reason: str
    protected_until: datetime.date | None = None
    participation: Participation | None = None
    source: str = ""


def _month(day: datetime.date) -> str:
    return f"{month_name(day.month)} {day.year}"


def _label(source: str) -> str:
    return billing_queries.source_labels(self_paying=True).get(source, source.upper())


_RANK = {Status.PROTECTED: 3, Status.GRACE: 2, Status.LAPSED: 1}


def verdict(worker: Worker, *, on: datetime.date) -> Answer:
    """The ledger's word on `worker` on `on` (see the module's docstring)."""
    parts = list(
        Participation.objects.filter(worker_id=worker.pk, fiscal_year=on.year).order_by(
            "-effective_from", "-pk"
        )
    )
    registered = [p for p in parts if p.effective_from is not None]
    answer: Answer | None = None
    if registered:
        frame = standing(on=on, participation_ids=[p.pk for p in registered])
        rows = sorted(
            frame.iter_rows(named=True),
            key=lambda r: (_RANK.get(r["status"], 0), r["effective_from"]),
            reverse=True,
        )
        if rows:
            row = rows[0]
            part = next(p for p in registered if p.pk == row["participation_id"])
            answer = _from_ledger(row, part, on)
    if answer is not None and answer.verdict == Verdict.PROTECTED:
        return answer
    own = _self_paid(worker, on)
    if own is not None:
        return own
    if answer is not None:
        return answer
    if parts:
        part = parts[0]
        return Answer(
            Verdict.NOT_PROTECTED,
            _(
                "On the approved list of %(year)s but not registered with BPJS yet "
                "(registration: %(state)s)."
            )
            % {"year": on.year, "state": part.get_state_display()},
            participation=part,
            source=part.source,
        )
    return Answer(
        Verdict.NOT_PROTECTED,
        _("Not on an approved list of %(year)s and no own contributions recorded.")
        % {"year": on.year},
    )


def _self_paid(worker: Worker, on: datetime.date) -> Answer | None:
    own = SelfPayment.objects.filter(worker_id=worker.pk).first()
    if own is None or own.until is None:
        return None
    if own.until >= on and (own.since is None or own.since <= on):
        return Answer(
            Verdict.PROTECTED,
            _("Pays their own contributions, paid until %(date)s.")
            % {"date": format_date(own.until)},
            protected_until=own.until,
            source=SELF_PAID,
        )
    return None


def _from_ledger(row: dict[str, Any], part: Participation, on: datetime.date) -> Answer:
    status = row["status"]
    source = part.source
    label = _label(source)
    if status == Status.PROTECTED:
        until: datetime.date = row["protected_until"]
        return Answer(
            Verdict.PROTECTED,
            _("Contributions (%(source)s) paid until %(date)s.")
            % {"source": label, "date": format_date(until)},
            protected_until=until,
            participation=part,
            source=source,
        )
    unpaid: datetime.date | None = row["unpaid_month"]
    if status == Status.GRACE:
        bill_id = row.get("delayed_bill_id")
        if bill_id:
            bill = Bill.objects.filter(pk=int(str(bill_id))).first()
            reason = _(
                "In grace: the %(source)s bill %(bill)s is unpaid because the funds are late "
                "(%(why)s). Protected once it is paid."
            ) % {
                "source": label,
                "bill": bill.number if bill else "",
                "why": (bill.delay_reason if bill else "") or _("no reason given"),
            }
        else:
            grace: datetime.date = row["grace_until"]
            reason = _(
                "In grace: contributions (%(source)s) unpaid since %(month)s. Protected if the "
                "arrears are paid by %(date)s."
            ) % {
                "source": label,
                "month": _month(unpaid) if unpaid else "",
                "date": format_date(grace),
            }
        return Answer(Verdict.IN_GRACE, reason, participation=part, source=source)
    if status == Status.NOT_YET:
        return Answer(
            Verdict.NOT_PROTECTED,
            _("Not protected yet: protection starts on %(date)s.")
            % {"date": format_date(part.effective_from)},
            participation=part,
            source=source,
        )
    if status == Status.ENDED and part.end_reason != EndReason.LAPSED:
        return Answer(
            Verdict.NOT_PROTECTED,
            _("The participation ended on %(date)s: %(reason)s.")
            % {"date": format_date(part.ended_on), "reason": part.get_end_reason_display()},
            participation=part,
            source=source,
        )
    return Answer(
        Verdict.NOT_PROTECTED,
        _(
            "Lapsed since %(month)s: contributions (%(source)s) unpaid for more than "
            "%(months)s months."
        )
        % {
            "month": _month(unpaid) if unpaid else format_date(part.ended_on),
            "source": label,
            "months": GRACE_MONTHS,
        },
        participation=part,
        source=source,
    )


def paid_months(worker: Worker, *, until: datetime.date) -> int:
    """Months of contributions paid for `worker` up to `until`, over all years (the JKM
    scholarship's contribution years and the JKM minimum come from it)."""
    total = 0
    for start, end in PaidPeriod.objects.filter(
        worker_id=worker.pk, paid_from__lte=until
    ).values_list("paid_from", "paid_to"):
        last = min(end, until)
        total += (last.year - start.year) * 12 + last.month - start.month + 1
    own = SelfPayment.objects.filter(worker_id=worker.pk).first()
    if own is not None and own.since is not None and own.until is not None:
        last = min(own.until, until)
        if last >= own.since:
            total += (last.year - own.since.year) * 12 + last.month - own.since.month + 1
    return total
