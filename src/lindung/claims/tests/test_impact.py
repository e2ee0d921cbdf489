"""The impact of a fiscal year (`claims.impact`): premiums paid against benefits paid, the
families and children reached, cases by type, the breakdowns, expected against actual events,
the wilayah scope, small cells, and the command line's JSON.

The year built here (`build`), also used by the page tests:

    APBD    old, farmer (52.03.07), pringgabaya (52.03.08): January to June paid in full
    DBHCHT  tobacco, tobacco_2 (52.03.07): two months paid in full, the third only partly
    claims  farmer's JKM paid (two children at school of three get the scholarship), tobacco's
            STMB paid and a medical claim submitted, pringgabaya's medical claim rejected, a
            self-payer's medical claim paid
"""

import datetime
import io
import json
from dataclasses import dataclass
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command
from time_machine import TimeMachineFixture

from lindung.billing import services
from lindung.billing.models import Bill
from lindung.claims import rules
from lindung.claims.impact import (
    band_label,
    band_of,
    children_of,
    conceal,
    hidden_cells,
    impact,
    is_scholarship,
    read_premiums,
)
from lindung.claims.models import (
    Cause,
    Claim,
    ClaimKind,
    ClaimState,
    Event,
    EventKind,
    Heir,
    Verdict,
)
from lindung.enrollment.models import EndReason, Participation, State
from lindung.registry.models import Worker
from lindung.registry.tests.factories import WorkerFactory

MONTH = 16_800  # one participant-month in 2027 (billing.tests.conftest.MONTH_2027)
APBD_PAID = 3 * 6 * MONTH  # 302.400
DBHCHT_PAID = 2 * 2 * MONTH  # 67.200: two months in full
PREMIUMS = APBD_PAID + DBHCHT_PAID
JKM_PAID = 42_000_000
STMB_PAID = 5_000_000
SELF_PAID_BENEFIT = 1_000_000
SPONSORED_BENEFITS = JKM_PAID + STMB_PAID
BENEFITS = SPONSORED_BENEFITS + SELF_PAID_BENEFIT
PAID_LINES = 3 * 6 + 2 * 2  # participant-months paid: 22
SCHOLARSHIP = [
    {"label": "Death benefit (santunan kematian)", "amount": 20_000_000},
    {"label": "Beasiswa, anak ke-1 (mulai jenjang SD)", "amount": 12_000_000},
    {"label": "Beasiswa, anak ke-2 (mulai jenjang SMP)", "amount": 10_000_000},
]


@dataclass
class Year:
    bills: list[Bill]
    workers: dict[str, Worker]
    claims: dict[str, Claim]


def _participation(worker: Worker) -> Participation:
    return Participation.objects.get(worker=worker, fiscal_year=2027)


def _event(worker: Worker, kind: str, on: datetime.date, *, sponsored: bool = True) -> Event:
    participation = _participation(worker) if sponsored else None
    return Event.objects.create(
        worker=worker,
        participation=participation,
        kind=kind,
        occurred_on=on,
        place="Sawah",
        cause=Cause.NOT_WORK if kind == EventKind.DEATH else Cause.AT_WORK,
        kecamatan_id=worker.desa_id[:8],
        desa_id=worker.desa_id,
        fiscal_year=on.year,
        verdict=Verdict.PROTECTED,
        source=participation.source if participation else "mandiri",
    )


def _claim(event: Event, kind: str, state: str, **fields: Any) -> Claim:
    number = f"KL-{event.fiscal_year}-{Claim.objects.count() + 1:04d}"
    return Claim.objects.create(
        number=number,
        event=event,
        worker=event.worker,
        kind=kind,
        state=state,
        fiscal_year=event.fiscal_year,
        source=event.source,
        kecamatan_id=event.kecamatan_id,
        desa_id=event.desa_id,
        **fields,
    )


def build(registered: list[Participation], time_machine: Any) -> Year:
    """The year (see the module's docstring); `registered` is billing's fixture."""
    by_source = {p.worker_id: p.source for p in registered}
    named = sorted(registered, key=lambda p: p.pk)
    apbd = [p.worker for p in named if p.source == "apbd"]
    dbhcht = [p.worker for p in named if p.source == "dbhcht"]
    pringgabaya = next(w for w in apbd if w.desa_id.startswith("52.03.08"))
    selong = [w for w in apbd if w != pringgabaya]
    workers = {
        "old": selong[0],
        "farmer": selong[1],
        "pringgabaya": pringgabaya,
        "tobacco": dbhcht[0],
        "tobacco_2": dbhcht[1],
    }
    # ages on 1 July 2027: 66 (band 65+), the others 37 (band 35-44)
    Worker.objects.filter(pk=workers["old"].pk).update(birth_date=datetime.date(1960, 8, 1))
    Worker.objects.exclude(pk=workers["old"].pk).update(birth_date=datetime.date(1990, 3, 1))
    assert by_source[workers["farmer"].pk] == "apbd"

    time_machine.move_to(datetime.datetime(2027, 1, 5, 9, tzinfo=datetime.UTC), tick=False)
    half = services.parse_period("2027-01..2027-06", 2027)
    made = services.make_bills(by="test", fiscal_year=2027, period=half)
    bills = sorted(made, key=lambda b: b.source)
    time_machine.move_to(datetime.datetime(2027, 1, 10, 9, tzinfo=datetime.UTC), tick=False)
    services.pay(
        by="test", bill=bills[0], amount=bills[0].amount, paid_on=datetime.date(2027, 1, 10)
    )
    services.pay(
        by="test", bill=bills[1], amount=DBHCHT_PAID + 500, paid_on=datetime.date(2027, 1, 10)
    )

    self_payer = WorkerFactory(desil=5, occupation="nelayan")
    claims = {
        "jkm": _claim(
            _event(workers["farmer"], EventKind.DEATH, datetime.date(2027, 3, 2)),
            "jkm",
            ClaimState.DIBAYAR,
            paid_amount=JKM_PAID,
            paid_on=datetime.date(2027, 4, 1),
            breakdown=SCHOLARSHIP,
        ),
        "stmb": _claim(
            _event(workers["tobacco"], EventKind.ACCIDENT, datetime.date(2027, 2, 10)),
            "stmb",
            ClaimState.DIBAYAR,
            paid_amount=STMB_PAID,
            paid_on=datetime.date(2027, 3, 20),
        ),
        "self": _claim(
            _event(self_payer, EventKind.ACCIDENT, datetime.date(2027, 2, 1), sponsored=False),
            "jkk-medical",
            ClaimState.DIBAYAR,
            paid_amount=SELF_PAID_BENEFIT,
            paid_on=datetime.date(2027, 3, 1),
        ),
        "pringgabaya": _claim(
            _event(workers["pringgabaya"], EventKind.ACCIDENT, datetime.date(2027, 5, 5)),
            "jkk-medical",
            ClaimState.DITOLAK,
            rejected_reason="Bukan kecelakaan kerja",
        ),
    }
    claims["medical"] = _claim(
        claims["stmb"].event, "jkk-medical", ClaimState.DIAJUKAN, expected_amount=3_000_000
    )
    for n, level in enumerate(["SD", "SMP", "SMA"], start=1):
        Heir.objects.create(
            claim=claims["jkm"], relation="child", name=f"Anak {n}", school_level=level
        )
    Heir.objects.create(claim=claims["jkm"], relation="spouse", name="Inaq Janda")
    workers["self_payer"] = self_payer
    return Year(bills=bills, workers=workers, claims=claims)


def end_participation(participation: Participation, on: datetime.date) -> None:
    """The worker died on `on`: the participation ends (as the claims service does)."""
    participation.state = State.BERAKHIR
    participation.ended_on = on
    participation.end_reason = EndReason.DIED
    participation.save()


# ---------------------------------------------------------------------------------------------
# Tests


pytestmark = pytest.mark.django_db


@pytest.fixture
def year(registered: list[Participation], time_machine: TimeMachineFixture) -> Year:
    return build(registered, time_machine)


def test_premiums_are_the_paid_months_lines(year: Year) -> None:
    result = impact(2027)
    assert result["premiums"] == PREMIUMS
    assert result["by_source"]["apbd"]["premiums"] == APBD_PAID
    assert result["by_source"]["dbhcht"]["premiums"] == DBHCHT_PAID  # the partial month left out
    assert result["by_source"]["mandiri"]["premiums"] is None  # self-payers' premiums unknown


def test_a_refund_leaves_the_premiums(year: Year, time_machine: TimeMachineFixture) -> None:
    farmer = Participation.objects.get(worker=year.workers["farmer"], fiscal_year=2027)
    end_participation(farmer, datetime.date(2027, 3, 2))
    time_machine.move_to(datetime.datetime(2027, 3, 10, 9, tzinfo=datetime.UTC), tick=False)
    services.claim_refunds(by="test", bill=year.bills[0])
    # April, May and June of the farmer come back
    assert impact(2027)["premiums"] == PREMIUMS - 3 * MONTH


def test_benefits_ratio_families_and_children(year: Year) -> None:
    result = impact(2027)
    assert result["benefits"] == BENEFITS
    assert result["sponsored_benefits"] == SPONSORED_BENEFITS
    assert result["ratio"] == round(SPONSORED_BENEFITS / PREMIUMS, 2)
    assert result["families"] == 3  # farmer, tobacco, the self-payer
    assert result["children"] == 2  # three at school, the scholarship stops at two
    assert (result["cases"], result["paid_cases"]) == (5, 3)


def test_cases_by_type(year: Year) -> None:
    by_type = impact(2027)["by_type"]
    assert list(by_type) == [k for k, _label in ClaimKind.choices]
    assert by_type["jkm"] == by_type["jkm"] | {"cases": 1, "paid_cases": 1, "benefits": JKM_PAID}
    assert (by_type["jkk-medical"]["cases"], by_type["jkk-medical"]["paid_cases"]) == (3, 1)
    assert by_type["jkk-medical"]["benefits"] == SELF_PAID_BENEFIT
    assert by_type["stmb"]["benefits"] == STMB_PAID
    assert by_type["jkk-death"]["cases"] == 0


def test_the_breakdowns(year: Year) -> None:
    result = impact(2027)
    apbd = result["by_source"]["apbd"]
    assert apbd | {"label": ""} == {
        "label": "",
        "premiums": APBD_PAID,
        "benefits": JKM_PAID,
        "ratio": round(JKM_PAID / APBD_PAID, 2),
        "families": 1,
        "children": 2,
        "cases": 2,
        "paid_cases": 1,
    }
    assert result["by_source"]["mandiri"]["ratio"] is None
    assert list(result["by_source"])[:2] == ["apbd", "dbhcht"]
    selong, pringgabaya = result["by_kecamatan"]["52.03.07"], result["by_kecamatan"]["52.03.08"]
    assert selong["premiums"] == PREMIUMS - 6 * MONTH
    assert selong["benefits"] == BENEFITS  # the self-payer lives in Selong too
    assert (pringgabaya["premiums"], pringgabaya["cases"], pringgabaya["paid_cases"]) == (
        6 * MONTH, 1, 0
    )  # fmt: skip
    assert result["by_occupation"]["nelayan"]["benefits"] == SELF_PAID_BENEFIT
    assert result["by_desil"]["5"]["benefits"] == SELF_PAID_BENEFIT
    assert sum(row["premiums"] for row in result["by_desil"].values()) == PREMIUMS
    assert sum(row["premiums"] for row in result["by_occupation"].values()) == PREMIUMS


def test_expected_events_come_from_the_rates(year: Year) -> None:
    expected = impact(2027)["expected"]
    rates = rules.current().rates
    assert expected["rates_verified"] is False
    assert expected["note"] == "UNVERIFIED rates"
    bands = {band["band"]: band for band in expected["bands"]}
    old_rate = rates[band_of(datetime.date(1960, 8, 1), 2027, rates)]
    young_rate = rates[band_of(datetime.date(1990, 3, 1), 2027, rates)]
    assert (old_rate.age_from, young_rate.age_from) == (65, 35)
    old, young = bands[band_label(old_rate)], bands[band_label(young_rate)]
    assert old["participant_years"] == round(6 / 12, 2)
    assert young["participant_years"] == round((PAID_LINES - 6) / 12, 2)
    assert young["expected_deaths"] == round((PAID_LINES - 6) / 12 * young_rate.deaths / 1000, 2)
    assert old["expected_accidents"] == round(6 / 12 * old_rate.accidents / 1000, 2)
    assert expected["participant_years"] == round(PAID_LINES / 12, 2)
    # reported events of sponsored workers: the farmer's death, two accidents
    assert (expected["actual_deaths"], expected["actual_accidents"]) == (1, 2)
    assert (young["actual_deaths"], young["actual_accidents"]) == (1, 2)


def test_the_age_band_in_sql_and_python_agree(year: Year) -> None:
    rates = rules.current().rates
    for born in [datetime.date(2003, 7, 1), datetime.date(2003, 7, 2), datetime.date(1962, 7, 1)]:
        Worker.objects.filter(pk=year.workers["old"].pk).update(birth_date=born)
        frame = read_premiums(2027, None, rates)
        bands = set(frame.filter(pl.col("occupation") == year.workers["old"].occupation)["band"])
        assert band_of(born, 2027, rates) in bands


def test_a_kecamatan_sees_its_own_figures(year: Year) -> None:
    result = impact(2027, codes=["52.03.08"])
    assert result["premiums"] == 6 * MONTH
    assert (result["benefits"], result["families"], result["cases"]) == (0, 0, 1)
    assert list(result["by_kecamatan"]) == ["52.03.08"]
    assert result["expected"]["participant_years"] == 0.5
    assert impact(2027, codes=[])["premiums"] == 0


def test_small_cells_are_hidden_with_their_companions(year: Year) -> None:
    shown = conceal(impact(2027), small_cell=5)
    assert shown["families"] == "< 5"
    assert shown["benefits"] == "< 5"  # three paid claims: their total names them
    assert shown["premiums"] == PREMIUMS  # money of many participants stays
    assert shown["by_source"]["apbd"]["cases"] == "< 5"
    assert shown["by_type"]["jkk-death"]["cases"] == 0  # nobody: shown
    everything = conceal(impact(2027), small_cell=1)
    assert everything["families"] == 3 and everything["hidden"] is False


def test_hidden_cells_keep_a_lonely_small_cell_company() -> None:
    cells = {"total": 30, "a": 2, "b": 20, "c": 8}
    assert hidden_cells(cells, [("total", ["a", "b", "c"])], 5) == {"a", "c"}
    assert hidden_cells({"total": 3, "a": 3}, [("total", ["a"])], 5) == {"total", "a"}
    assert hidden_cells({"total": 0, "a": 0}, [("total", ["a"])], 5) == set()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ({"label": "Scholarship, child 1 (from SD)", "amount": 1}, True),
        ({"label": "Beasiswa, anak ke-1 (mulai jenjang SD)", "amount": 1}, True),
        ({"label": "Funeral costs", "amount": 1, "scholarship": True}, True),
        (["Scholarship, child 2 (from SMA)", 5], True),
        ({"label": "Funeral costs", "amount": 1}, False),
        ("nonsense", False),
    ],
)
def test_a_scholarship_line_is_found_in_either_language(line: object, expected: bool) -> None:
    assert is_scholarship(line) is expected


def test_children_count_only_where_a_scholarship_is_paid() -> None:
    assert children_of("jkm", SCHOLARSHIP, 3) == 2
    assert children_of("jkm", json.dumps(SCHOLARSHIP), 1) == 1
    assert children_of("jkm", SCHOLARSHIP[:1], 3) == 0  # too few contribution years: none
    assert children_of("stmb", SCHOLARSHIP, 3) == 0


def test_an_empty_year_has_no_ratio(registered: list[Participation]) -> None:
    result = impact(2030)
    assert (result["premiums"], result["benefits"], result["ratio"]) == (0, 0, None)
    assert result["by_source"] == {}


def test_it_reads_a_few_aggregates_whatever_the_rows(
    year: Year, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10):  # constant: no query per row
        impact(2027)


def test_the_command_line_speaks_the_documented_json(year: Year) -> None:
    out = io.StringIO()
    call_command("impact", "--year", "2027", "--json", stdout=out)
    data = json.loads(out.getvalue())
    keys = list(data)
    assert keys[:8] == [
        "year", "premiums", "benefits", "ratio", "families", "children", "by_source", "by_type"
    ]  # fmt: skip
    assert (data["year"], data["premiums"], data["benefits"]) == (2027, PREMIUMS, BENEFITS)
    assert data["by_source"]["apbd"]["premiums"] == APBD_PAID
    assert data["by_type"]["jkm"]["paid_cases"] == 1
    assert data["families"] == 3  # the command line shows every count
    assert data["expected"]["rates_verified"] is False


def test_the_command_line_summary_is_readable(year: Year) -> None:
    out = io.StringIO()
    call_command("impact", "--year", "2027", stdout=out)
    text = out.getvalue()
    assert "2027" in text
    assert "Rp369.600" in text  # premiums
    assert "Rp48.000.000" in text
    assert "UNVERIFIED" in text
