"""The regency policy: validated data, versions numbered 1, 2, … and audited with their diff."""

import copy
from typing import Any

import pytest

from lindung.accounts.tests.factories import admin
from lindung.audit.models import Event
from lindung.rules.models import PolicyVersion
from lindung.rules.national import RulesError
from lindung.rules.policy import Policy, Quota
from lindung.rules.services import save_policy_version

LOMBOK_TIMUR = ("52.03",)


def _data(**changes: Any) -> dict[str, Any]:
    data = Policy.default(LOMBOK_TIMUR).to_data()
    data.update(copy.deepcopy(changes))
    return data


def _eligibility(**changes: Any) -> dict[str, Any]:
    return {**_data()["eligibility"], **changes}


def test_the_default_policy_is_valid_and_round_trips() -> None:
    policy = Policy.default(LOMBOK_TIMUR)
    assert Policy.from_data(policy.to_data(), deployment=LOMBOK_TIMUR) == policy
    assert [(s.code, s.annual_budget) for s in policy.sources] == [
        ("apbd", 12_000_000_000),
        ("dbhcht", 3_000_000_000),
    ]
    assert policy.sources[0].occupations == ()
    assert set(policy.sources[1].occupations) == {"petani_tembakau", "buruh_tani_tembakau"}
    assert policy.programs == ("JKK", "JKM")
    assert policy.reported_income == 1_000_000
    assert policy.coverage_months == 12


def test_missing_keys_take_the_defaults() -> None:
    policy = Policy.from_data({"sources": [{"code": "apbd", "annual_budget": 1}]})
    assert policy.eligibility.min_age == 18
    assert policy.eligibility.max_age == 65
    assert policy.programs == ("JKK", "JKM")


SOURCE = {"code": "apbd", "label": "APBD", "annual_budget": 1_000, "occupations": [], "areas": []}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sources": [{**SOURCE, "occupations": ["astronaut"]}]}, "unknown code astronaut"),
        ({"eligibility": _eligibility(occupations_excluded=["x"])}, "unknown code x"),
        ({"sources": [{**SOURCE, "areas": ["52.01.01"]}]}, "outside the deployment"),
        ({"sources": [{**SOURCE, "areas": ["52.03.99"]}]}, "unknown area code 52.03.99"),
        ({"sources": [{**SOURCE, "areas": ["Selong"]}]}, "not a kecamatan or desa code"),
        ({"sources": [{**SOURCE, "annual_budget": -1}]}, "cannot be negative"),
        ({"sources": []}, "at least one funding source"),
        ({"sources": [SOURCE, SOURCE]}, "same code"),
        ({"eligibility": _eligibility(min_age=60, max_age=40)}, "above the maximum age"),
        ({"eligibility": _eligibility(max_desil=0)}, "max_desil: expected a whole number"),
        ({"eligibility": _eligibility(max_desil=11)}, "max_desil: expected a whole number"),
        ({"eligibility": _eligibility(missing_desil="maybe")}, "include or exclude"),
        ({"programs": ["JKK"]}, "always includes JKK and JKM"),
        ({"quotas": [{"area": "52.03.07"}]}, "set a minimum"),
        ({"quotas": [{"area": "52.03.07", "maximum_share": 1.5}]}, "a share from 0 to 1"),
        ({"quotas": [{"area": "52.03.07", "minimum": 5, "maximum": 4}]}, "minimum is above"),
        ({"quotas": [{"area": "52.03.07", "minimum": 10**9}]}, "budgets pay for only"),
    ],
)
@pytest.mark.django_db
def test_it_refuses_bad_policy_data_and_saves_nothing(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(RulesError, match=message):
        save_policy_version(by=admin(), data=_data(**changes), name="Rancangan", note="")
    assert not PolicyVersion.objects.exists()
    assert not Event.objects.filter(action="policy_version_saved").exists()


def test_quota_minimums_are_checked_against_the_budgets() -> None:
    policy = Policy(
        sources=Policy.default(LOMBOK_TIMUR).sources[:1],  # Rp12.000.000.000
        quotas=(Quota("52.03.07", minimum=59_000),),
    )
    policy.check_quotas(200_000)  # pays for 60.000
    with pytest.raises(
        RulesError, match=r"59\.000 workers, but the budgets pay for only 58\.823 at Rp204\.000"
    ):
        policy.check_quotas(204_000)  # pays for 58.823


@pytest.mark.django_db
def test_versions_are_numbered_and_audited_with_their_diff() -> None:
    user = admin()
    first = save_policy_version(by=user, data=_data(), name="Perbup 2026", note="awal")
    changed = _data(eligibility=_eligibility(max_desil=5))
    second = save_policy_version(by=user, data=changed, name="Rancangan Perbup 2027", note="")
    assert (first.number, second.number) == (1, 2)
    assert second.data["eligibility"]["max_desil"] == 5
    first.refresh_from_db()
    assert first.data["eligibility"]["max_desil"] == 4  # never edited
    event = Event.objects.filter(action="policy_version_saved").order_by("-id").first()
    assert event is not None
    assert event.actor == user
    assert event.before == {"number": 1, "eligibility.max_desil": 4}
    assert event.after == {
        "number": 2,
        "kabupaten": "52.03",
        "name": "Rancangan Perbup 2027",
        "note": "",
        "eligibility.max_desil": 5,
    }


@pytest.mark.django_db
def test_it_refuses_a_version_without_a_name() -> None:
    with pytest.raises(RulesError, match="name"):
        save_policy_version(by=admin(), data=_data(), name="  ", note="")
    assert not PolicyVersion.objects.exists()


def test_a_policy_has_at_most_62_funding_sources() -> None:
    data = Policy.default(["52.03"]).to_data()
    data["sources"] = [{"code": f"desa_{i}", "annual_budget": 1} for i in range(63)]

    with pytest.raises(RulesError, match="at most 62 funding sources"):
        Policy.from_data(data)
    data["sources"] = data["sources"][:62]
    assert len(Policy.from_data(data).sources) == 62


@pytest.mark.django_db
def test_a_transport_worker_on_a_reducible_source_costs_the_reduced_price_for_fy2026() -> None:
    from lindung.rules.policy import FundingSource, source_cost

    policy = Policy(sources=(FundingSource("baznas", "BAZNAS", 10_000_000),))
    assert source_cost(policy, "baznas", 2026) == 3 * 16_800 + 9 * 8_400  # 126.000
    assert source_cost(policy, "baznas", 2026, sector="transport") == 12 * 8_400  # 100.800
    assert source_cost(policy, "apbd", 2026, sector="transport") == 12 * 16_800
