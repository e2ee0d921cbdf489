"""Approving scenarios: frozen, numbered beneficiary lists, revisions and supplements."""

import datetime
from typing import Any

import pytest

from lindung.accounts.tests.factories import admin
from lindung.audit.models import Event
from lindung.regions.models import Population
from lindung.registry.models import Worker
from lindung.registry.services import update_worker
from lindung.registry.tests.factories import WorkerFactory
from lindung.rules.models import Nomination
from lindung.rules.policy import Policy, deployment
from lindung.rules.services import save_policy_version
from lindung.targeting import queries
from lindung.targeting.approval import ListError, approve
from lindung.targeting.lists import current_list
from lindung.targeting.models import Beneficiary, BeneficiaryList, ListChange, Selection
from lindung.targeting.services import TargetingError, run_scenario
from lindung.targeting.tests.test_scenarios import YEAR_COST

pytestmark = pytest.mark.django_db


def _run(apbd: int, dbhcht: int = 0, **kwargs: Any) -> Any:
    return run_scenario(by="test", fiscal_year=2027, budgets={"apbd": apbd, "dbhcht": dbhcht},
                        **kwargs)  # fmt: skip


def _listed(approved: BeneficiaryList) -> dict[int, str]:
    return dict(approved.entries.values_list("worker_id", "source"))


def test_approving_freezes_the_scenario_as_list_one(registry: dict[str, Any]) -> None:
    scenario = _run(2 * YEAR_COST, YEAR_COST)

    approved = approve(by=admin(), scenario=scenario, decree="188.45/1/2027")

    assert (approved.number, approved.version, approved.previous) == (1, 1, None)
    chosen = dict(Selection.objects.filter(scenario=scenario).values_list("worker_id", "source"))
    assert _listed(approved) == chosen
    assert approved.selected == 3 and approved.cost == 3 * YEAR_COST == scenario.cost
    assert approved.by_source["apbd"] == {"selected": 2, "cost": 2 * YEAR_COST,
                                          "budget": 2 * YEAR_COST}  # fmt: skip
    assert approved.by_kecamatan == scenario.by_kecamatan
    entry = approved.entries.get(worker=registry["poorest"])
    assert (entry.nik, entry.name, entry.cost) == (
        registry["poorest"].nik, registry["poorest"].name, YEAR_COST,
    )  # fmt: skip
    event = Event.objects.get(action="list_approved")
    assert event.after["number"] == 1 and event.after["selected"] == 3


def test_later_registry_changes_never_alter_an_approved_list(registry: dict[str, Any]) -> None:
    approved = approve(by="test", scenario=_run(2 * YEAR_COST, YEAR_COST))
    worker = Worker.objects.get(pk=registry["poorest"].pk)

    update_worker(
        by=None, worker=worker, changes={"name": "Baiq Nama Baru", "desa": "52.03.08.2001"}
    )

    entry = Beneficiary.objects.get(beneficiary_list=approved, worker=worker)
    assert entry.name == registry["poorest"].name and entry.desa_id == "52.03.07.1001"


def test_a_scenario_is_approved_once(registry: dict[str, Any]) -> None:
    scenario = _run(YEAR_COST)
    approve(by="test", scenario=scenario)

    with pytest.raises(ListError, match="already approved as list 1"):
        approve(by="test", scenario=scenario, note="again")
    assert BeneficiaryList.objects.count() == 1


def test_a_revision_needs_a_note_and_lists_its_differences(registry: dict[str, Any]) -> None:
    first = approve(by="test", scenario=_run(2 * YEAR_COST, YEAR_COST))
    bigger = _run(3 * YEAR_COST, 0)

    with pytest.raises(ListError, match="say in the note why"):
        approve(by="test", scenario=bigger)
    assert (
        BeneficiaryList.objects.count() == 1
        and not Beneficiary.objects.filter(beneficiary_list__number=2).exists()
    )

    second = approve(by="test", scenario=bigger, note="APBD-P: DBHCHT moved to APBD")

    assert (second.number, second.version, second.previous) == (2, 2, first)
    old, new = _listed(first), _listed(second)
    changes = {(c.worker_id, c.kind, c.source_before, c.source_after)
               for c in ListChange.objects.filter(beneficiary_list=second)}  # fmt: skip
    expected = (
        {(w, "added", "", s) for w, s in new.items() if w not in old}
        | {(w, "removed", s, "") for w, s in old.items() if w not in new}
        | {(w, "moved", old[w], s) for w, s in new.items() if w in old and old[w] != s}
    )
    assert changes == expected and changes
    assert second.added + second.removed + second.moved == len(expected)
    assert current_list(2027) == second
    assert _listed(first) == old  # the replaced list stays as approved


def test_a_supplement_adds_workers_on_top_of_the_approved_list(registry: dict[str, Any]) -> None:
    base = approve(by="test", scenario=_run(YEAR_COST))
    listed = set(_listed(base))

    supplement = _run(2 * YEAR_COST, supplement=True)

    added = set(Selection.objects.filter(scenario=supplement).values_list("worker_id", flat=True))
    assert added and not added & listed
    revised = approve(by="test", scenario=supplement, note="tambahan APBD-P")
    assert set(_listed(revised)) == listed | added
    assert revised.added == len(added) and revised.removed == 0
    ranks = sorted(revised.entries.filter(source="apbd").values_list("rank", flat=True))
    assert ranks == list(range(1, len(ranks) + 1))
    assert revised.budgets["apbd"] == 3 * YEAR_COST
    assert revised.cost == base.cost + supplement.cost


def test_a_supplement_needs_an_approved_list(registry: dict[str, Any]) -> None:
    with pytest.raises(TargetingError, match="no approved list for 2027"):
        _run(YEAR_COST, supplement=True)


def test_a_supplement_to_a_list_revised_since_is_refused(registry: dict[str, Any]) -> None:
    approve(by="test", scenario=_run(YEAR_COST))
    supplement = _run(YEAR_COST, supplement=True)
    approve(by="test", scenario=_run(2 * YEAR_COST), note="revised")

    with pytest.raises(ListError, match="revised since it ran"):
        approve(by="test", scenario=supplement, note="late")


def test_a_scenario_with_a_worker_merged_away_since_is_refused(registry: dict[str, Any]) -> None:
    scenario = _run(YEAR_COST)
    chosen = Selection.objects.get(scenario=scenario).worker_id
    Worker.objects.filter(pk=chosen).update(merged_into=registry["rich"])

    with pytest.raises(ListError, match="merged into another record"):
        approve(by="test", scenario=scenario)
    assert not BeneficiaryList.objects.exists()


def test_a_nomination_by_the_desa_raises_a_worker_over_an_equal_one() -> None:
    plain = WorkerFactory(desil=2)
    nominated = WorkerFactory(desil=2)
    Nomination.objects.create(worker=nominated, fiscal_year=2027, by=admin(), reason="janda")

    scenario = _run(YEAR_COST)

    chosen = Selection.objects.get(scenario=scenario)
    assert chosen.worker_id == nominated.pk != plain.pk


def test_the_projection_drops_workers_who_age_out_and_prices_each_year() -> None:
    WorkerFactory(desil=1, birth_date=datetime.date(1962, 6, 1))  # 64 in 2027, 65 in 2028
    WorkerFactory(desil=1, birth_date=datetime.date(1961, 6, 1))  # 65 in 2027, 66 in 2028
    scenario = _run(2 * YEAR_COST)
    assert scenario.selected == 2

    years = queries.projection(scenario)

    assert [y.fiscal_year for y in years] == [2028, 2029, 2030]
    assert years[0].kept == 1 and years[1].kept == 0
    assert years[0].cost_per_worker["apbd"] == YEAR_COST
    assert years[0].kept_cost == YEAR_COST and years[0].same_number_cost == 2 * YEAR_COST


def test_a_proportional_split_guarantees_each_kecamatan_its_population_share() -> None:
    selong = [WorkerFactory(desil=4) for _ in range(6)]  # lower priority
    pringgabaya = [WorkerFactory(desil=1, desa_id="52.03.08.2001") for _ in range(6)]
    Population.objects.create(region_id="52.03.07", year=2024, count=5_000)
    Population.objects.create(region_id="52.03.08", year=2024, count=5_000)
    data = Policy.default(deployment()).to_data()
    data["proportional_to_population"] = True
    save_policy_version(by="test", data=data, name="proportional", note="")

    scenario = _run(4 * YEAR_COST)

    chosen = set(Selection.objects.filter(scenario=scenario).values_list("worker_id", flat=True))
    assert len(chosen & {w.pk for w in selong}) == 2  # half of 4, although its priority is lower
    assert len(chosen & {w.pk for w in pringgabaya}) == 2
    assert scenario.notes[0] == {"code": "proportional", "covered": 4}
    unknown = next(n for n in scenario.notes if n["code"] == "no_population")
    assert "52.03.01" in unknown["kecamatan"]


def test_a_desa_quota_in_the_policy_bounds_that_desa() -> None:
    pancor = [WorkerFactory(desil=1) for _ in range(3)]  # 52.03.07.1001, the top priority
    others = [WorkerFactory(desil=3, desa_id="52.03.07.1002") for _ in range(3)]
    data = Policy.default(deployment()).to_data()
    data["quotas"] = [{"area": "52.03.07.1001", "maximum": 1}]
    save_policy_version(by="test", data=data, name="desa quota", note="")

    scenario = _run(3 * YEAR_COST)

    chosen = set(Selection.objects.filter(scenario=scenario).values_list("worker_id", flat=True))
    assert len(chosen & {w.pk for w in pancor}) == 1
    assert len(chosen & {w.pk for w in others}) == 2


def test_a_desa_minimum_beyond_its_workers_is_refused_naming_the_desa() -> None:
    WorkerFactory(desil=1)
    data = Policy.default(deployment()).to_data()
    data["quotas"] = [{"area": "52.03.07.1001", "minimum": 2}]
    save_policy_version(by="test", data=data, name="desa quota", note="")

    with pytest.raises(TargetingError, match=r"52\.03\.07\.1001"):
        _run(3 * YEAR_COST)
    assert not Selection.objects.exists()
