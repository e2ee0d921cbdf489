import datetime

import pytest
import time_machine

from lindung.audit.models import Event
from lindung.billing import ledger, services
from lindung.billing.models import BillLine, BillState, PaidPeriod
from lindung.billing.states import BillingError
from lindung.enrollment.models import Participation
from lindung.rules.calculators import contribution

pytestmark = pytest.mark.django_db

BILL_DAY = datetime.datetime(2027, 1, 5, 9, 0, tzinfo=datetime.UTC)


@time_machine.travel(BILL_DAY, tick=False)
def test_it_bills_each_wadah_per_half_year_at_the_rules_price(registered: list) -> None:
    bills = services.make_bills(by="test", fiscal_year=2027)
    assert [(b.source, b.period_start.month, b.months, b.participants) for b in bills] == [
        ("apbd", 1, 6, 3),
        ("dbhcht", 1, 6, 2),
        ("apbd", 7, 6, 3),
        ("dbhcht", 7, 6, 2),
    ]
    for bill in bills:
        lines = BillLine.objects.filter(bill=bill)
        assert lines.count() == bill.participants * 6
        assert bill.amount == sum(line.amount for line in lines)
        for line in lines:
            priced = contribution(1_000_000, month=line.month, funding=bill.source)
            assert line.amount == priced.jkk + priced.jkm - priced.reduction
    assert Event.objects.filter(action="bills_made").count() == 1


@time_machine.travel(BILL_DAY, tick=False)
def test_a_second_run_bills_only_the_newly_registered(registered: list) -> None:
    services.make_bills(by="test", fiscal_year=2027)
    assert services.make_bills(by="test", fiscal_year=2027) == []
    late = Participation.objects.create(
        worker=registered[0].worker,
        fiscal_year=2027,
        source="apbd",
        beneficiary_list=registered[0].beneficiary_list,
        state="BERAKHIR",
        nik=registered[0].nik,
        name="x",
        desa_id=registered[0].desa_id,
        kecamatan_id=registered[0].kecamatan_id,
    )
    assert late.pk
    assert services.make_bills(by="test", fiscal_year=2027) == []


@time_machine.travel(BILL_DAY, tick=False)
def test_a_payment_covers_the_months_it_pays_for_in_order(registered: list) -> None:
    bill = services.make_bills(by="test", fiscal_year=2027, source="apbd")[0]
    month = bill.amount // 6
    services.pay(by="test", bill=bill, amount=2 * month + 1, paid_on=datetime.date(2027, 1, 5))
    bill.refresh_from_db()
    assert bill.state == BillState.SEBAGIAN
    periods = PaidPeriod.objects.filter(bill=bill)
    assert {(p.paid_from, p.paid_to) for p in periods} == {
        (datetime.date(2027, 1, 1), datetime.date(2027, 2, 28))
    }
    services.pay(by="test", bill=bill, amount=bill.outstanding, paid_on=datetime.date(2027, 1, 5))
    bill.refresh_from_db()
    assert bill.state == BillState.DIBAYAR
    assert {(p.paid_from, p.paid_to) for p in PaidPeriod.objects.filter(bill=bill)} == {
        (datetime.date(2027, 1, 1), datetime.date(2027, 6, 30))
    }
    frame = ledger.standing(on=datetime.date(2027, 3, 1))
    assert frame.filter(frame["source"] == "apbd")["status"].to_list() == ["protected"] * 3
    assert set(frame.filter(frame["source"] == "dbhcht")["status"].to_list()) == {"in_grace"}


@time_machine.travel(BILL_DAY, tick=False)
@pytest.mark.parametrize(
    ("amount", "day", "message"),
    [
        (0, datetime.date(2027, 1, 5), "more than Rp0"),
        (-5, datetime.date(2027, 1, 5), "more than Rp0"),
        (10**9, datetime.date(2027, 1, 5), "more than that"),
        (1000, datetime.date(2026, 12, 31), "comes before bill"),
        (1000, datetime.date(2027, 2, 1), "in the future"),
    ],
)
def test_bad_payments_are_refused_and_change_nothing(
    registered: list, amount: int, day: datetime.date, message: str
) -> None:
    bill = services.make_bills(by="test", fiscal_year=2027, source="apbd")[0]
    with pytest.raises(BillingError, match=message):
        services.pay(by="test", bill=bill, amount=amount, paid_on=day)
    bill.refresh_from_db()
    assert (bill.paid, bill.state) == (0, "RENCANA")
    assert not PaidPeriod.objects.exists()
    assert not Event.objects.filter(action="bill_paid").exists()


@time_machine.travel(BILL_DAY, tick=False)
def test_coverage_counts_per_source_and_kecamatan(registered: list) -> None:
    from lindung.billing import coverage

    bill = services.make_bills(by="test", fiscal_year=2027, source="apbd")[0]
    services.pay(by="test", bill=bill, amount=bill.amount, paid_on=datetime.date(2027, 1, 5))
    got = coverage.counts(on=datetime.date(2027, 3, 1))
    assert (got["protected"], got["in_grace"], got["lapsed"]) == (3, 2, 0)
    assert got["by_source"]["apbd"] == {"protected": 3, "in_grace": 0, "lapsed": 0}
    assert sum(v["protected"] for v in got["by_kecamatan"].values()) == 3
    later = coverage.counts(on=datetime.date(2027, 4, 1))
    assert (later["protected"], later["in_grace"], later["lapsed"]) == (3, 0, 2)


@time_machine.travel(BILL_DAY, tick=False)
def test_alerts_name_expiring_periods_bills_past_due_and_grace(registered: list) -> None:
    from lindung.billing import alerts

    bills = services.make_bills(
        by="test", fiscal_year=2027, period=services.parse_period("2027-01..2027-03", 2027)
    )
    apbd = next(b for b in bills if b.source == "apbd")
    dbhcht = next(b for b in bills if b.source == "dbhcht")
    services.pay(by="test", bill=apbd, amount=apbd.amount, paid_on=datetime.date(2027, 1, 5))
    services.set_funds_delayed(by="test", bill=dbhcht, delayed=True, reason="DBHCHT belum cair")
    got = alerts.summary(on=datetime.date(2027, 3, 10))
    assert [(e["source"], e["wadah"], e["participants"], e["until"]) for e in got.expiring] == [
        ("apbd", "SG-APBD", 3, datetime.date(2027, 3, 31))
    ]
    assert got.in_grace == 2
    assert [(r["bill"].number, r["participants"]) for r in got.grace_reasons] == [
        (dbhcht.number, 2)
    ]
    assert got.past_due == []
    services.set_funds_delayed(by="test", bill=dbhcht, delayed=False)
    later = alerts.summary(on=datetime.date(2027, 3, 10))
    assert [p["bill"].number for p in later.past_due] == [dbhcht.number]
    assert later.grace_reasons == []
    area = alerts.summary(on=datetime.date(2027, 3, 10), codes=["52.03.08"])
    assert (area.in_grace, area.past_due) == (0, [])


@time_machine.travel(BILL_DAY, tick=False)
def test_a_death_takes_the_later_months_off_unpaid_bills_and_refunds_paid_ones(
    registered: list,
) -> None:
    from lindung.enrollment.services import end_participation

    bills = services.make_bills(by="test", fiscal_year=2027, source="apbd")
    first, second = bills  # January to June, July to December
    services.pay(by="test", bill=first, amount=first.amount, paid_on=datetime.date(2027, 1, 5))
    month = first.amount // (3 * 6)
    died = Participation.objects.get(pk=registered[0].pk)
    end_participation(by="test", participation=died, reason="died", on=datetime.date(2027, 1, 3))
    assert services.make_bills(by="test", fiscal_year=2027) != []  # DBHCHT; drops lines first
    second.refresh_from_db()
    assert (second.participants, second.amount) == (2, 2 * 6 * month)
    due = services.refunds_due(first)
    assert [(d["participation_id"], d["months"], d["amount"]) for d in due] == [
        (died.pk, 5, 5 * month)
    ]
    services.claim_refunds(by="test", bill=first)
    first.refresh_from_db()
    assert first.state == BillState.PENGEMBALIAN
    period = PaidPeriod.objects.get(bill=first, participation=died)
    assert (period.paid_from, period.paid_to) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 1, 3),
    )
    refund = first.refunds.get()
    services.receive_refund(by="test", refund=refund, received_on=datetime.date(2027, 1, 5))
    first.refresh_from_db()
    assert (first.state, first.refunded) == (BillState.DIBAYAR, 5 * month)
