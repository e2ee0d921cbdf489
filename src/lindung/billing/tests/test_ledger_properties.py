"""The ledger's invariants under random bills, partial payments and refunds: no overlap, every
paid month covered exactly once and nothing else, billed total = sum of lines = contribution x
months, one worker's month billed once."""

import datetime
import itertools
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindung.billing import ledger, services
from lindung.billing.models import Bill, BillLine, PaidPeriod
from lindung.enrollment.models import EndReason, Participation, State
from lindung.rules.policy import active_policy

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 12, 20, 9, 0, tzinfo=datetime.UTC)
PERIODS = ["2027-01..2027-03", "2027-04..2027-06", "2027-01..2027-06", "2027-07..2027-12",
           "2027-05", "2027-01..2027-12", "2027-10..2027-12"]  # fmt: skip

operation = st.one_of(
    st.tuples(st.just("bill"), st.sampled_from(PERIODS), st.sampled_from([None, "apbd", "dbhcht"])),
    st.tuples(st.just("pay"), st.integers(0, 20), st.floats(0.05, 1.0)),
    st.tuples(st.just("end"), st.integers(0, 4), st.integers(1, 12)),
    st.tuples(st.just("refund"), st.integers(0, 20), st.just(0)),
)


def _apply(op: tuple[Any, ...]) -> None:
    kind, a, b = op
    if kind == "bill":
        services.make_bills(
            by="test", fiscal_year=2027, source=b, period=services.parse_period(a, 2027)
        )
    bills = list(Bill.objects.order_by("pk"))
    if kind == "pay" and bills:
        bill = Bill.objects.get(pk=bills[a % len(bills)].pk)
        amount = max(1, int(bill.outstanding * b))
        if bill.outstanding and bill.state in services.states.PAYABLE:
            services.pay(by="test", bill=bill, amount=amount, paid_on=datetime.date(2027, 12, 20))
    if kind == "end":
        p = list(Participation.objects.filter(state=State.TERDAFTAR).order_by("pk"))
        if p:
            services_end(p[a % len(p)], datetime.date(2027, b, 10))
    if kind == "refund" and bills:
        bill = bills[a % len(bills)]
        if services.refunds_due(bill):
            services.claim_refunds(by="test", bill=bill)


def services_end(participation: Participation, on: datetime.date) -> None:
    from lindung.enrollment.services import end_participation

    end_participation(by="test", participation=participation, reason=EndReason.DIED, on=on)


def _check_invariants() -> None:
    policy, _v = active_policy()
    prices = services.Prices(policy)
    for bill in Bill.objects.exclude(state="BATAL"):
        lines = list(BillLine.objects.filter(bill=bill))
        assert bill.amount == sum(line.amount for line in lines)
        for line in lines:
            assert line.amount == prices.of(bill.source, line.month)[3]
        per_month = Counter(line.month for line in lines)
        assert all(n <= bill.participants for n in per_month.values())
    periods = list(PaidPeriod.objects.order_by("participation_id", "paid_from"))
    by_participation: dict[int, list[PaidPeriod]] = {}
    for period in periods:
        by_participation.setdefault(period.participation_id, []).append(period)
    for rows in by_participation.values():
        for before, after in itertools.pairwise(rows):
            assert before.paid_to < after.paid_from, "overlap"
    # every paid, unrefunded month is covered exactly once (from the effective date on, until
    # the participation ended), and no unpaid month is covered
    paid: set[tuple[int, datetime.date]] = set()
    for bill in Bill.objects.exclude(state="BATAL"):
        months = ledger.paid_months(bill)
        last = ledger.add_months(bill.period_start, months - 1) if months else None
        for line in BillLine.objects.filter(bill=bill, refunded=False):
            if last is not None and line.month <= last:
                paid.add((line.participation_id, line.month))
    ended = dict(Participation.objects.values_list("pk", "ended_on"))
    for participation_id, rows in by_participation.items():
        covered: Counter[datetime.date] = Counter()
        for period in rows:
            day = period.paid_from
            while day <= period.paid_to:
                covered[day.replace(day=1)] += 1
                day = ledger.add_months(day, 1)
        for month in covered:
            assert (participation_id, month) in paid, "an unpaid month is covered"
        for pid, month in paid:
            if pid == participation_id:
                end = ended.get(pid)
                if end is None or month <= end:
                    assert covered[month] == 1, (pid, month)
    uncovered = {pid for pid, month in paid if pid not in by_participation}
    for pid in uncovered:
        end = ended.get(pid)
        months = [m for p, m in paid if p == pid]
        assert end is not None and all(m > end for m in months), "a paid month is not covered"


@time_machine.travel(NOW, tick=False)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=8))
def test_the_ledger_keeps_its_invariants(registered: list, ops: list) -> None:
    with transaction.atomic():
        for op in ops:
            _apply(op)
            _check_invariants()
        transaction.set_rollback(True)


@time_machine.travel(NOW, tick=False)
def test_a_workers_month_cannot_be_billed_twice(registered: list) -> None:
    services.make_bills(
        by="test", fiscal_year=2027, period=services.parse_period("2027-01..2027-03", 2027)
    )
    line = BillLine.objects.first()
    assert line is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        BillLine.objects.create(
            bill=line.bill, participation_id=line.participation_id, worker_id=line.worker_id,
            month=line.month, amount=line.amount,
        )  # fmt: skip


@time_machine.travel(NOW, tick=False)
def test_periods_cannot_run_backwards(registered: list) -> None:
    bill = services.make_bills(by="test", fiscal_year=2027)[0]
    p = registered[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        PaidPeriod.objects.create(
            participation=p, worker_id=p.worker_id, bill=bill, source="apbd",
            paid_from=datetime.date(2027, 3, 1), paid_to=datetime.date(2027, 2, 1),
            kecamatan_id=p.kecamatan_id, desa_id=p.desa_id,
        )  # fmt: skip
