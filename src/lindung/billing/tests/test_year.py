"""A year simulated: enroll, bill six months, pay late under the funds-delayed flag, see grace,
pay, see protection resume; a worker left unpaid for four months lapses with the reason."""

import datetime

import pytest
import time_machine
from django.utils import translation

from lindung.audit.models import Event
from lindung.billing import coverage, ledger, services
from lindung.billing.models import Bill, BillState
from lindung.enrollment.models import EndReason, Participation, State

pytestmark = pytest.mark.django_db


def _on(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False
    )


def _status(on: datetime.date) -> dict[str, set[str]]:
    frame = ledger.standing(on=on)
    return {
        source: set(frame.filter(frame["source"] == source)["status"].to_list())
        for source in ("apbd", "dbhcht")
    }


def test_a_year_of_late_funds_grace_payment_and_a_lapse(registered: list) -> None:
    with _on(datetime.date(2027, 1, 5)):
        services.make_bills(
            by="test", fiscal_year=2027, period=services.parse_period("2027-01..2027-06", 2027)
        )
        apbd = Bill.objects.get(source="apbd")
        dbhcht = Bill.objects.get(source="dbhcht")
        assert apbd.months == 6 and apbd.participants == 3
        services.issue_bill(by="test", bill=apbd, assessment_code="270100000001")
        services.set_funds_delayed(
            by="test", bill=apbd, delayed=True, reason="APBD belum dicairkan (DPA terlambat)"
        )

    # February: nobody is paid; APBD's workers wait on late funds, DBHCHT's are in arrears.
    with _on(datetime.date(2027, 2, 15)):
        assert services.daily() == {"past_due": 1, "lapsed": 0}  # only the DBHCHT bill
        dbhcht.refresh_from_db()
        apbd.refresh_from_db()
        assert (dbhcht.state, apbd.state) == (BillState.KADALUARSA, BillState.DITAGIH)
        assert _status(datetime.date(2027, 2, 15)) == {"apbd": {"in_grace"}, "dbhcht": {"in_grace"}}
        late = ledger.standing(on=datetime.date(2027, 2, 15)).filter(
            ledger.standing(on=datetime.date(2027, 2, 15))["source"] == "apbd"
        )
        assert set(late["delayed_bill_id"].to_list()) == {apbd.pk}

    # April: the fourth unpaid month. DBHCHT's workers lapse; the late APBD funds keep theirs.
    with _on(datetime.date(2027, 4, 2)):
        assert services.daily() == {"past_due": 0, "lapsed": 2}
        lapsed = Participation.objects.filter(source="dbhcht")
        assert {(p.state, p.end_reason, p.ended_on) for p in lapsed} == {
            (State.BERAKHIR, EndReason.LAPSED, datetime.date(2027, 3, 31))
        }
        with translation.override("id"):
            assert services.lapse_reason(datetime.date(2027, 1, 1)) == (
                "Iuran tidak dibayar sejak Januari 2027 (lebih dari 3 bulan)."
            )
        assert all("January 2027" in p.reason for p in lapsed)
        assert _status(datetime.date(2027, 4, 2)) == {"apbd": {"in_grace"}, "dbhcht": {"lapsed"}}
        assert services.daily() == {"past_due": 0, "lapsed": 0}  # idempotent

    # The funds arrive: the APBD bill is paid in full; protection resumes, back to January.
    with _on(datetime.date(2027, 4, 10)):
        services.record_sp2d(
            by="test", bill=apbd, number="SP2D/0412/2027", date=datetime.date(2027, 4, 9)
        )
        services.pay(
            by="test",
            bill=apbd,
            amount=apbd.amount,
            paid_on=datetime.date(2027, 4, 10),
            reference="BNI 99887766",
        )
        apbd.refresh_from_db()
        assert apbd.state == BillState.DIBAYAR
        for day in (datetime.date(2027, 2, 15), datetime.date(2027, 4, 10)):
            assert _status(day)["apbd"] == {"protected"}
        got = coverage.counts(on=datetime.date(2027, 4, 10))
        assert (got["protected"], got["in_grace"], got["lapsed"]) == (3, 0, 2)
        assert Event.objects.filter(action="participation_ended").count() == 2
        # The public check agrees: protected through June; a lapsed worker is not.
        worker = Participation.objects.filter(source="apbd").first().worker  # type: ignore[union-attr]
        cover = coverage.person(
            nik=worker.nik, birth_date=worker.birth_date, on=datetime.date(2027, 4, 10)
        )
        assert cover is not None and (cover.protected, cover.until, cover.payer) == (
            True, datetime.date(2027, 6, 30), "apbd"
        )  # fmt: skip
        gone = Participation.objects.filter(source="dbhcht").first().worker  # type: ignore[union-attr]
        cover = coverage.person(
            nik=gone.nik, birth_date=gone.birth_date, on=datetime.date(2027, 4, 10)
        )
        assert cover is not None and not cover.protected and not cover.in_grace

    # July: the half-year paid runs out; without a new bill the APBD workers fall into grace.
    with _on(datetime.date(2027, 7, 20)):
        assert _status(datetime.date(2027, 7, 20))["apbd"] == {"in_grace"}
        worker = Participation.objects.filter(source="apbd").first().worker  # type: ignore[union-attr]
        cover = coverage.person(
            nik=worker.nik, birth_date=worker.birth_date, on=datetime.date(2027, 7, 20)
        )
        assert cover is not None and (cover.in_grace, cover.until) == (
            True,
            datetime.date(2027, 6, 30),
        )
        frame = ledger.standing(on=datetime.date(2027, 7, 20))
        assert set(frame.filter(frame["source"] == "apbd")["paid_until"].to_list()) == {
            datetime.date(2027, 6, 30)
        }
