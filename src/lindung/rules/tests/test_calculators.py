"""Every figure in REGULATION.md, reproduced by the calculators."""

import dataclasses
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.rules.calculators import benefit, contribution
from lindung.rules.national import RulesError, file_versions

OLD, PP50 = (v.rules for v in file_versions())
MAY_2026 = datetime.date(2026, 5, 1)


def _pay(income: int = 1_000_000, **kwargs: object) -> int:
    return contribution(income, rules=PP50, **kwargs).total_per_month  # type: ignore[arg-type]


def test_the_minimum_is_jkk_10000_plus_jkm_6800() -> None:
    result = contribution(1_000_000, month=datetime.date(2025, 6, 1), funding="apbd", rules=OLD)
    assert (result.jkk, result.jkm, result.jht, result.total_per_month) == (
        10_000,
        6_800,
        0,
        16_800,
    )


def test_with_jht_the_minimum_is_36800() -> None:
    result = contribution(
        1_000_000, programs=["JKK", "JKM", "JHT"], month=MAY_2026, funding="apbd", rules=PP50
    )
    assert (result.jht, result.total_per_month) == (20_000, 36_800)


def test_income_below_the_minimum_counts_as_the_minimum() -> None:
    assert contribution(250_000, month=MAY_2026, funding="apbd", rules=PP50).jkk == 10_000


def test_an_income_between_the_ends_counts_as_reported_while_levels_are_unverified() -> None:
    result = contribution(2_500_000, month=MAY_2026, funding="apbd", rules=PP50)
    assert (result.jkk, result.total_per_month) == (25_000, 31_800)
    verified = dataclasses.replace(
        PP50, income_levels=dataclasses.replace(PP50.income_levels, verified=True)
    )
    assert contribution(2_500_000, month=MAY_2026, funding="apbd", rules=verified).jkk == 10_000


def test_income_above_the_maximum_counts_as_the_maximum() -> None:
    assert contribution(50_000_000, month=MAY_2026, funding="apbd", rules=PP50).jkk == 207_000


def test_self_payers_pay_half_in_the_covered_months() -> None:
    result = contribution(1_000_000, month=MAY_2026, funding="mandiri", rules=PP50)
    assert (result.reduction, result.total_per_month) == (8_400, 8_400)


def test_self_payers_pay_in_full_after_the_covered_months() -> None:
    assert _pay(month=datetime.date(2027, 1, 1), funding="mandiri") == 16_800


def test_transport_stays_reduced_until_march_2027() -> None:
    assert _pay(month=datetime.date(2027, 2, 1), funding="mandiri", sector="transport") == 8_400
    assert _pay(month=datetime.date(2027, 4, 1), funding="mandiri", sector="transport") == 16_800
    assert _pay(month=datetime.date(2026, 1, 1), funding="mandiri", sector="transport") == 8_400
    assert _pay(month=datetime.date(2026, 1, 1), funding="mandiri") == 16_800


@pytest.mark.parametrize("funding", ["apbd", "dbhcht", "apbd_provinsi"])
def test_apbd_money_gets_no_reduction(funding: str) -> None:
    assert _pay(month=MAY_2026, funding=funding) == 16_800


@pytest.mark.parametrize("funding", ["apbdes", "csr"])
def test_village_and_csr_funding_follow_the_unverified_rule_value(funding: str) -> None:
    assert _pay(month=MAY_2026, funding=funding) == 8_400
    assert PP50.reduction is not None
    assert not PP50.reduction.other_funding_verified
    strict = dataclasses.replace(
        PP50, reduction=dataclasses.replace(PP50.reduction, other_funding=frozenset())
    )
    assert contribution(1_000_000, month=MAY_2026, funding=funding, rules=strict).reduction == 0


def test_twelve_months_from_may_2026_are_reduced_until_december_only() -> None:
    result = contribution(1_000_000, month=MAY_2026, funding="mandiri", months=12, rules=PP50)
    assert result.total == 8 * 8_400 + 4 * 16_800
    assert result.reduced_months == 8
    assert result.total_per_month == 8_400  # the first month


def test_penajam_pays_3024_million_for_15000_workers() -> None:
    per_worker = contribution(
        1_000_000, month=datetime.date(2025, 1, 1), funding="apbd", months=12, rules=OLD
    ).total
    assert 15_000 * per_worker == 3_024_000_000


def test_the_older_version_has_no_reduction() -> None:
    result = contribution(1_000_000, month=MAY_2026, funding="mandiri", rules=OLD)
    assert result.total_per_month == 16_800


def test_it_refuses_payment_periods_outside_the_rules() -> None:
    with pytest.raises(RulesError, match="1, 3, 6, 12"):
        contribution(1_000_000, month=MAY_2026, months=2, rules=PP50)


def test_it_refuses_bad_input() -> None:
    with pytest.raises(RulesError):
        contribution(-1, month=MAY_2026, rules=PP50)
    with pytest.raises(RulesError):
        contribution(1_000_000, month=MAY_2026, funding="apbn", rules=PP50)
    with pytest.raises(RulesError):
        contribution(1_000_000, programs=["JHT"], month=MAY_2026, rules=PP50)


@given(
    income=st.integers(min_value=0, max_value=50_000_000),
    year=st.integers(min_value=2025, max_value=2028),
    month=st.integers(min_value=1, max_value=12),
    funding=st.sampled_from(["apbd", "apbdes", "dbhcht", "csr", "mandiri", "apbd_provinsi"]),
    sector=st.sampled_from([None, "transport"]),
    months=st.sampled_from([1, 3, 6, 12]),
    jht=st.booleans(),
)
def test_the_total_is_the_sum_of_the_months_and_never_negative(
    income: int, year: int, month: int, funding: str, sector: str | None, months: int, jht: bool
) -> None:
    programs = ["JKK", "JKM", "JHT"] if jht else ["JKK", "JKM"]
    start = datetime.date(year, month, 1)
    result = contribution(
        income,
        programs=programs,
        month=start,
        funding=funding,
        sector=sector,
        months=months,
        rules=PP50,
    )
    assert 0 <= result.reduction <= result.jkk + result.jkm
    monthly = []
    for i in range(months):
        index = year * 12 + month - 1 + i
        one = contribution(
            income,
            programs=programs,
            month=datetime.date(index // 12, index % 12 + 1, 1),
            funding=funding,
            sector=sector,
            rules=PP50,
        )
        assert 0 <= one.reduction <= one.jkk + one.jkm
        monthly.append(one.total_per_month)
    assert result.total == sum(monthly) >= 0


def test_jkm_pays_42_million() -> None:
    result = benefit("jkm", rules=PP50)
    assert result.total == 42_000_000
    assert [amount for _label, amount in result.breakdown] == [20_000_000, 12_000_000, 10_000_000]


def test_jkm_scholarship_needs_three_years_of_contributions() -> None:
    assert benefit("jkm", contribution_years=2, children=["SD"], rules=PP50).total == 42_000_000
    with_years = benefit("jkm", contribution_years=3, children=["S1"], rules=PP50)
    assert with_years.total == 42_000_000 + 5 * 12_000_000


def test_scholarship_is_for_two_children_and_at_most_174_million() -> None:
    result = benefit("jkm", contribution_years=5, children=["TK", "TK", "TK"], rules=PP50)
    scholarships = [amount for label, amount in result.breakdown if "Scholarship" in label]
    assert scholarships == [87_000_000, 87_000_000]
    assert sum(scholarships) == 174_000_000
    lower_cap = dataclasses.replace(
        PP50, scholarship=dataclasses.replace(PP50.scholarship, max_total=100_000_000)
    )
    capped = benefit("jkm", contribution_years=5, children=["TK", "TK"], rules=lower_cap)
    assert capped.total == 42_000_000 + 100_000_000


def test_jkk_death_pays_48_times_income_plus_funeral_and_periodic() -> None:
    result = benefit("jkk-death", income=1_000_000, rules=PP50)
    assert [amount for _l, amount in result.breakdown] == [48_000_000, 10_000_000, 12_000_000]
    assert result.total == 70_000_000
    assert benefit("jkk-death", income=20_700_000, rules=PP50).breakdown[0][1] == 48 * 20_700_000


def test_jkk_death_is_never_below_the_jkm_benefit() -> None:
    low = dataclasses.replace(
        PP50, jkk_benefit=dataclasses.replace(PP50.jkk_benefit, death_multiplier=30)
    )
    assert benefit("jkk-death", income=1_000_000, rules=low).breakdown[0][1] == 42_000_000


def test_total_permanent_disability_pays_56_times_income() -> None:
    assert benefit("jkk-disability", income=1_000_000, rules=PP50).total == 56_000_000


def test_stmb_pays_full_income_for_12_months_then_half() -> None:
    assert benefit("stmb", income=1_000_000, months=6, rules=PP50).total == 6_000_000
    result = benefit("stmb", income=1_000_000, months=18, rules=PP50)
    assert [amount for _l, amount in result.breakdown] == [12_000_000, 3_000_000]


def test_benefits_refuse_missing_input() -> None:
    with pytest.raises(RulesError):
        benefit("stmb", income=1_000_000, rules=PP50)
    with pytest.raises(RulesError):
        benefit("jkk-death", rules=PP50)
    with pytest.raises(RulesError):
        benefit("jht", rules=PP50)
    with pytest.raises(RulesError):
        benefit("jkm", children=["PAUD"], rules=PP50)


# --- issue 11: month by month, the scholarship on disability, partial disability ---------------


@pytest.mark.django_db
def test_a_three_month_payment_from_december_2025_is_priced_month_by_month() -> None:
    result = contribution(
        1_000_000, month=datetime.date(2025, 12, 1), funding="mandiri", sector="transport", months=3
    )
    assert [m.total for m in result.per_month] == [16_800, 8_400, 8_400]
    assert [m.version for m in result.per_month] == [OLD.version, PP50.version, PP50.version]
    assert (result.total_per_month, result.total, result.reduced_months) == (16_800, 33_600, 2)


@pytest.mark.django_db
def test_a_twelve_month_payment_from_june_2025_gets_the_reduction_of_its_2026_months() -> None:
    # June 2025 - May 2026: April and May 2026 reduced; for transport January to May 2026.
    other = contribution(1_000_000, month=datetime.date(2025, 6, 1), months=12)
    assert other.total == 10 * 16_800 + 2 * 8_400
    transport = contribution(
        1_000_000, month=datetime.date(2025, 6, 1), months=12, sector="transport"
    )
    assert transport.total == 7 * 16_800 + 5 * 8_400


@pytest.mark.django_db
def test_a_regency_budget_pays_in_full_in_every_month_of_a_straddling_payment() -> None:
    result = contribution(
        1_000_000, month=datetime.date(2025, 12, 1), funding="apbd", sector="transport", months=6
    )
    assert result.total == 6 * 16_800


def test_total_permanent_disability_pays_the_scholarship() -> None:
    result = benefit("jkk-disability", income=1_000_000, children=["SMA", "S1"], rules=PP50)
    assert result.total == 56_000_000 + (9_000_000 + 60_000_000) + 60_000_000
    assert any("Scholarship, child 2" in label for label, _amount in result.breakdown)


def test_partial_disability_is_table_percent_times_80_times_income() -> None:
    result = benefit("jkk-disability", income=2_000_000, parts=["telunjuk_kanan"], rules=PP50)
    assert result.partial
    assert result.total == 9 * 80 * 2_000_000 // 100  # 9% x 80 x income


def test_partial_disability_adds_the_percentages_of_several_parts() -> None:
    parts = ["ibu_jari_tangan_kanan", "telunjuk_kanan"]
    result = benefit("jkk-disability", income=1_000_000, parts=parts, rules=PP50)
    assert result.total == (15 + 9) * 80 * 1_000_000 // 100
    assert len(result.breakdown) == 2


def test_partial_disability_is_capped_at_the_table_maximum() -> None:
    parts = ["lengan_kanan_bahu", "kaki_paha", "mata_satu"]  # 40 + 40 + 35 = 115%
    result = benefit("jkk-disability", income=1_000_000, parts=parts, rules=PP50)
    assert result.total == 70 * 80 * 1_000_000 // 100
    assert result.breakdown[-1][0] == "Capped at 70% in total"


def test_partial_disability_refuses_unknown_parts_and_the_scholarship() -> None:
    with pytest.raises(RulesError, match="Unknown body part"):
        benefit("jkk-disability", income=1_000_000, parts=["sayap"], rules=PP50)
    with pytest.raises(RulesError, match="not on a partial disability"):
        benefit(
            "jkk-disability", income=1_000_000, parts=["mata_satu"], children=["SD"], rules=PP50
        )
    with pytest.raises(RulesError, match="only to the jkk-disability"):
        benefit("stmb", income=1_000_000, months=1, parts=["mata_satu"], rules=PP50)


def test_every_version_of_the_file_has_the_partial_disability_table_with_its_source() -> None:
    for version in file_versions():
        table = version.rules.partial_disability
        assert table is not None
        assert "UNVERIFIED" in table.source
        assert (table.months, table.max_percent) == (80, 70)
