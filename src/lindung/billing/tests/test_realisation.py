"""Realisation against the pagu: the pure steps on frames built inline (the forecast, both
warnings, the settings), then the numbers of a real year (bills made, paid late and in parts,
a refund received) read from the database."""

import datetime
from typing import Any

import polars as pl
import pytest
from django.core.exceptions import ImproperlyConfigured
from time_machine import TimeMachineFixture

from lindung.billing import realisation as r
from lindung.billing import services
from lindung.billing.models import Bill, Refund
from lindung.enrollment.models import Participation
from lindung.enrollment.services import end_participation
from lindung.rules.policy import Policy
from lindung.rules.services import save_policy_version

Y = 2027
DEADLINE = datetime.date(Y, 9, 30)
MONTH = 16_800  # one participant-month in 2027 (tests/conftest.py: MONTH_2027)


def d(month: int, day: int = 1) -> datetime.date:
    return datetime.date(Y, month, day)


def inputs(**frames: list[tuple[Any, ...]]) -> r.Inputs:
    """APBD (pagu Rp1.200.000) and DBHCHT (Rp600.000) with the given rows."""
    base = r.empty_inputs(Y, [("apbd", "APBD", 1_200_000), ("dbhcht", "DBHCHT", 600_000)])
    schemas = {
        "committed": r.COMMITTED,
        "billed": r.AMOUNTS,
        "paid": r.AMOUNTS,
        "owed": r.AMOUNTS,
        "registered": r.COUNTS,
        "on_bills": r.COUNTS,
        "prices": r.AMOUNTS,
    }
    given = {
        name: pl.DataFrame(rows, schema=schemas[name], orient="row")
        for name, rows in frames.items()
    }
    prices = [(s, d(m), MONTH) for s in ("apbd", "dbhcht") for m in range(1, 13)]
    given.setdefault("prices", pl.DataFrame(prices, schema=r.AMOUNTS, orient="row"))
    return r.Inputs(**(base.__dict__ | given))


def compute(data: r.Inputs, on: datetime.date, threshold: float = 0.10) -> r.Realisation:
    return r.compute(data, on=on, deadline=DEADLINE, threshold=threshold)


def by_code(result: r.Realisation) -> dict[str, r.Figures]:
    return {f.code: f for f in result.sources}


# --- the pure steps ----------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "months"), [(1_200_000, 12), (1_000_001, 12), (403_200, 6)])
def test_a_spread_adds_up_to_the_total_in_whole_rupiah(total: int, months: int) -> None:
    shares = r.spread(total, months)
    assert len(shares) == 12
    assert sum(shares) == total
    assert max(shares[:months]) - min(shares[:months]) <= 1
    assert shares[months:] == [0] * (12 - months)


def test_the_month_rows_carry_the_pagu_share_the_commitment_and_the_cumulative_columns() -> None:
    data = inputs(
        committed=[("apbd", 604_800)],
        billed=[("apbd", d(m), 3 * MONTH) for m in range(1, 7)],
        paid=[("apbd", d(1, 10), 6 * 3 * MONTH), ("apbd", d(3, 2), -MONTH)],
    )
    apbd = by_code(compute(data, on=d(12, 31)))["apbd"]
    assert [m.pagu for m in apbd.months] == [100_000] * 12
    assert [m.committed for m in apbd.months] == [50_400] * 12
    assert [m.paid for m in apbd.months][:4] == [302_400, 0, -MONTH, 0]
    assert [m.paid_to_date for m in apbd.months][:4] == [302_400, 302_400, 285_600, 285_600]
    assert apbd.months[-1].remaining == 1_200_000 - 285_600 == apbd.remaining
    assert (apbd.billed, apbd.paid, apbd.committed) == (302_400, 285_600, 604_800)


def test_the_forecast_adds_what_bills_owe_and_the_unbilled_months_of_the_registered() -> None:
    data = inputs(
        # APBD: three from January, billed and paid for January to June; the second half-year
        # billed, due in July, unpaid.
        registered=[("apbd", d(1), 3), ("dbhcht", d(3, 10), 2)],
        on_bills=[("apbd", d(m), 3) for m in range(1, 13)],
        paid=[("apbd", d(1, 10), 6 * 3 * MONTH)],
        owed=[("apbd", d(7, 15), 6 * 3 * MONTH)],
        # DBHCHT: two registered from 10 March, nothing billed yet.
    )
    result = compute(data, on=d(4, 10))
    apbd, dbhcht = by_code(result)["apbd"], by_code(result)["dbhcht"]
    assert [m.forecast for m in apbd.months] == [302_400, 0, 0, 0, 0, 0, 302_400, 0, 0, 0, 0, 0]
    assert apbd.forecast == 604_800
    assert [m.actual for m in apbd.months] == [True] * 3 + [False] * 9
    # March is over unbilled: arrears, expected now (April), with April itself.
    assert [m.forecast for m in dbhcht.months] == [0, 0, 0, 4 * MONTH] + [2 * MONTH] * 8
    assert dbhcht.forecast == 10 * 2 * MONTH
    assert dbhcht.months[-1].forecast_to_date == dbhcht.forecast
    assert result.total.forecast == apbd.forecast + dbhcht.forecast


def test_an_overdue_bill_and_a_claimed_refund_are_expected_in_the_current_month() -> None:
    data = inputs(owed=[("apbd", d(1, 15), 302_400), ("apbd", d(4), -MONTH)])
    apbd = by_code(compute(data, on=d(5, 20)))["apbd"]
    assert [m.forecast for m in apbd.months] == [0] * 4 + [302_400 - MONTH] + [0] * 7


def test_a_year_not_begun_forecasts_from_january_and_a_year_over_only_what_was_paid() -> None:
    data = inputs(
        registered=[("apbd", d(1), 1)],
        paid=[("apbd", datetime.date(Y + 1, 1, 20), 2 * MONTH)],
        owed=[("apbd", d(12, 15), 5 * MONTH)],
    )
    before = by_code(compute(data, on=datetime.date(Y - 1, 11, 1)))["apbd"]
    assert before.forecast == 12 * MONTH + 5 * MONTH + 2 * MONTH
    assert before.months[0].forecast == MONTH and not before.months[0].actual
    after = by_code(compute(data, on=datetime.date(Y + 1, 2, 1)))["apbd"]
    assert after.forecast == after.paid == 2 * MONTH
    assert after.months[-1].paid == 2 * MONTH  # paid in January of the next year: December
    assert all(m.actual for m in after.months)


def test_a_forecast_above_the_pagu_warns_of_the_shortfall() -> None:
    data = inputs(registered=[("dbhcht", d(1), 4)])  # 4 x 12 x 16.800 = 806.400 > 600.000
    result = compute(data, on=d(2, 1))
    shortfall = [w for w in result.warnings if w.kind == "shortfall"]
    assert [(w.source, w.amount) for w in shortfall] == [("dbhcht", 806_400 - 600_000)]
    assert "Rp206.400" in shortfall[0].message
    assert "kurang anggaran" in shortfall[0].message
    assert by_code(result)["dbhcht"].shortfall == 206_400


def test_too_much_unspent_warns_until_the_apbdp_deadline() -> None:
    # APBD: 3 x 12 months = Rp604.800 of Rp1.200.000: Rp595.200 (49,6%) unspent.
    data = inputs(registered=[("apbd", d(1), 3), ("dbhcht", d(1), 3)])
    for on in (d(1, 1), d(6, 1), DEADLINE):
        warned = [(w.kind, w.source) for w in compute(data, on=on).warnings]
        assert ("unspent", "apbd") in warned, on
    unspent = next(w for w in compute(data, on=d(6, 1)).warnings if w.source == "apbd")
    assert unspent.amount == 595_200
    assert "49,6%" in unspent.message and "30 September 2027" in unspent.message

    def unspent_sources(on: datetime.date) -> list[str]:
        return [w.source for w in compute(data, on=on).warnings if w.kind == "unspent"]

    assert unspent_sources(d(10, 1)) == []  # past the deadline: nothing left to move
    assert unspent_sources(datetime.date(Y - 1, 12, 1)) == []  # before the year
    # DBHCHT: Rp604.800 of Rp600.000: over, not unspent; a higher threshold keeps APBD quiet.
    assert [(w.kind, w.source) for w in compute(data, on=d(6, 1), threshold=0.5).warnings] == [
        ("shortfall", "dbhcht")
    ]


def test_a_source_the_policy_no_longer_has_shows_with_no_pagu() -> None:
    data = inputs(billed=[("baznas", d(2), MONTH)], owed=[("baznas", d(2, 15), MONTH)])
    result = compute(data, on=d(1, 5))
    assert [f.code for f in result.sources] == ["apbd", "dbhcht", "baznas"]
    baznas = by_code(result)["baznas"]
    assert (baznas.label, baznas.pagu, baznas.shortfall) == ("BAZNAS", 0, MONTH)
    one = r.compute(data, on=d(1, 5), deadline=DEADLINE, threshold=0.1, source="baznas")
    assert [f.code for f in one.sources] == ["baznas"]
    assert one.total.forecast == MONTH


def test_the_deadline_and_threshold_come_from_the_settings(settings: Any) -> None:
    del settings.LINDUNG_APBDP_DEADLINE
    del settings.LINDUNG_UNSPENT_WARNING
    assert r.apbdp_deadline(Y) == DEADLINE
    assert r.unspent_threshold() == 0.10
    settings.LINDUNG_APBDP_DEADLINE = "08-15"
    settings.LINDUNG_UNSPENT_WARNING = 0.25
    assert r.apbdp_deadline(Y) == d(8, 15)
    assert r.unspent_threshold() == 0.25
    settings.LINDUNG_APBDP_DEADLINE = "30-09"
    with pytest.raises(ImproperlyConfigured):
        r.apbdp_deadline(Y)
    settings.LINDUNG_UNSPENT_WARNING = 10
    with pytest.raises(ImproperlyConfigured):
        r.unspent_threshold()


# --- a real year --------------------------------------------------------------------------------


@pytest.fixture
def clock(time_machine: TimeMachineFixture) -> TimeMachineFixture:
    """The clock on 5 January 2027, standing still: bills and payments may not be dated later."""
    at(time_machine, d(1, 5))
    return time_machine


def at(clock: TimeMachineFixture, day: datetime.date) -> None:
    clock.move_to(
        datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def year(registered: list[Participation], clock: TimeMachineFixture) -> dict[str, Bill]:
    """Bills for 2027 made on 5 January; APBD's first half paid on 10 January, DBHCHT's in two
    parts (20 February, 3 March); an APBD worker died on 31 March and April to June came
    back from BPJS on 15 May."""
    bills = services.make_bills(by="test", fiscal_year=Y)
    apbd, dbhcht = (
        next(b for b in bills if b.source == s and b.months == 6) for s in ("apbd", "dbhcht")
    )
    at(clock, d(1, 10))
    services.pay(by="test", bill=apbd, amount=apbd.amount, paid_on=d(1, 10))
    at(clock, d(2, 20))
    services.pay(by="test", bill=dbhcht, amount=100_800, paid_on=d(2, 20))
    at(clock, d(3, 3))
    services.pay(by="test", bill=dbhcht, amount=100_800, paid_on=d(3, 3))
    at(clock, d(4, 2))
    died = next(p for p in registered if p.source == "apbd")
    end_participation(by="test", participation=died, reason="died", on=d(3, 31))
    (refund,) = services.claim_refunds(by="test", bill=apbd)
    at(clock, d(5, 15))
    services.receive_refund(by="test", refund=refund, received_on=d(5, 15))
    at(clock, d(5, 20))
    return {"apbd": apbd, "dbhcht": dbhcht}


def _policy(apbd: int, dbhcht: int) -> None:
    data = Policy.default(("52.03",)).to_data()
    budgets = {"apbd": apbd, "dbhcht": dbhcht}
    data["sources"] = [s | {"annual_budget": budgets[s["code"]]} for s in data["sources"]]
    save_policy_version(by="test", data=data, name="Perbup", note="")


@pytest.mark.django_db
def test_a_real_year_gives_pagu_committed_billed_paid_and_forecast_per_month(
    year: dict[str, Bill],
) -> None:
    assert Refund.objects.get().amount == 3 * MONTH
    result = r.realisation(Y)
    assert result.on == d(5, 20)
    apbd, dbhcht = by_code(result)["apbd"], by_code(result)["dbhcht"]
    assert (apbd.pagu, dbhcht.pagu) == (12_000_000_000, 3_000_000_000)  # the default policy
    assert (apbd.committed, dbhcht.committed) == (3 * 12 * MONTH, 2 * 12 * MONTH)
    assert [m.billed for m in apbd.months] == [3 * MONTH] * 3 + [2 * MONTH] * 3 + [3 * MONTH] * 6
    assert [m.paid for m in apbd.months] == [6 * 3 * MONTH, 0, 0, 0, -3 * MONTH] + [0] * 7
    assert apbd.paid == 6 * 3 * MONTH - 3 * MONTH == 252_000
    assert [m.paid for m in dbhcht.months] == [0, 100_800, 100_800] + [0] * 9
    assert dbhcht.months[-1].paid_to_date == 201_600
    assert dbhcht.months[2].remaining == 3_000_000_000 - 201_600
    # The second half-year's bills are due on 15 July; every registered month is on a bill.
    assert [m.forecast for m in apbd.months] == (
        [302_400, 0, 0, 0, -3 * MONTH, 0, 302_400] + [0] * 5
    )
    assert apbd.forecast == 252_000 + 302_400
    assert dbhcht.forecast == 403_200
    assert result.total.paid == 252_000 + 201_600
    assert {w.kind for w in result.warnings} == {"unspent"}  # billions of pagu unused


@pytest.mark.django_db
def test_a_real_year_warns_of_a_shortfall_and_of_money_left_unspent(
    year: dict[str, Bill], settings: Any
) -> None:
    _policy(apbd=500_000, dbhcht=1_000_000)
    result = r.realisation(Y)
    assert [(w.kind, w.source, w.amount) for w in result.warnings] == [
        ("shortfall", "apbd", 554_400 - 500_000),
        ("unspent", "dbhcht", 1_000_000 - 403_200),
    ]
    settings.LINDUNG_APBDP_DEADLINE = "05-15"  # passed: the unspent money can no longer move
    assert [w.kind for w in r.realisation(Y).warnings] == ["shortfall"]
    settings.LINDUNG_APBDP_DEADLINE = "09-30"
    settings.LINDUNG_UNSPENT_WARNING = 0.9
    assert [w.kind for w in r.realisation(Y).warnings] == ["shortfall"]


@pytest.mark.django_db
def test_a_registration_not_yet_billed_raises_the_forecast(
    registered: list[Participation], clock: TimeMachineFixture
) -> None:
    services.make_bills(by="test", fiscal_year=Y, source="apbd")
    result = r.realisation(Y)
    assert by_code(result)["apbd"].forecast == 3 * 12 * MONTH
    assert by_code(result)["dbhcht"].forecast == 2 * 12 * MONTH  # registered, not billed
    assert by_code(result)["dbhcht"].billed == 0
