"""PP 50/2025 in targeting: a transport worker (ojek, sopir) paid by a source that is not
APBN/APBD costs the reduced price (JKK + JKM halved for all of 2026 and January-March 2027;
the other sectors April-December 2026 only)."""

import datetime
from typing import Any

import pytest

from lindung.registry.models import Occupation
from lindung.registry.tests.factories import WorkerFactory
from lindung.rules.policy import Policy, deployment
from lindung.rules.services import save_policy_version
from lindung.targeting import queries
from lindung.targeting.approval import approve
from lindung.targeting.models import Selection
from lindung.targeting.services import run_scenario

pytestmark = pytest.mark.django_db
FULL = 16_800  # JKK + JKM a month on the policy's income, without the reduction
OTHER_2026 = 3 * FULL + 9 * FULL // 2  # 126.000: reduced April-December 2026
TRANSPORT_2026 = 12 * FULL // 2  # 100.800: reduced all of 2026
TRANSPORT_2027 = 3 * FULL // 2 + 9 * FULL  # 176.400: reduced January-March 2027
OTHER_2027 = 12 * FULL  # 201.600


@pytest.fixture
def apbdes_policy() -> None:
    """The default policy plus an APBDes source open to every occupation."""
    data = Policy.default(deployment()).to_data()
    data["sources"].append(
        {"code": "apbdes", "label": "APBDes", "annual_budget": 0, "occupations": [], "areas": []}
    )
    save_policy_version(by="test", data=data, name="apbdes", note="")


def _run(apbdes: int, apbd: int = 0) -> Any:
    return run_scenario(
        by="test", fiscal_year=2026, budgets={"apbd": apbd, "dbhcht": 0, "apbdes": apbdes}
    )


@pytest.mark.usefixtures("apbdes_policy")
def test_a_transport_worker_on_a_reducible_source_costs_the_reduced_price_in_targeting() -> None:
    ojek = WorkerFactory(desil=1, occupation=Occupation.OJEK)
    sopir = WorkerFactory(desil=1, occupation=Occupation.SOPIR)
    ojek_2 = WorkerFactory(desil=2, occupation=Occupation.OJEK)
    WorkerFactory(desil=4, occupation=Occupation.PETANI)

    scenario = _run(3 * TRANSPORT_2026)  # 2,4 workers at the other sectors' price

    chosen = set(Selection.objects.filter(scenario=scenario).values_list("worker_id", flat=True))
    assert chosen == {ojek.pk, sopir.pk, ojek_2.pk}
    assert scenario.costs["apbdes"] == OTHER_2026
    assert scenario.costs["apbdes:transport"] == TRANSPORT_2026
    assert scenario.by_source["apbdes"] == {
        "selected": 3, "cost": 3 * TRANSPORT_2026, "budget": 3 * TRANSPORT_2026,
    }  # fmt: skip
    assert scenario.cost == 3 * TRANSPORT_2026 and scenario.unspent == 0
    assert sum(k["cost"] for k in scenario.by_kecamatan.values()) == scenario.cost

    approved = approve(by="test", scenario=scenario, decree="188.45/1/2026")

    costs = set(approved.entries.values_list("cost", flat=True))
    assert costs == {TRANSPORT_2026}
    assert approved.cost == scenario.cost == approved.by_source["apbdes"]["cost"]


@pytest.mark.usefixtures("apbdes_policy")
def test_it_spends_a_reducible_budget_on_both_sectors_at_their_own_prices() -> None:
    ojek = WorkerFactory(desil=1, occupation=Occupation.OJEK)
    farmer = WorkerFactory(desil=1, occupation=Occupation.PETANI)
    WorkerFactory(desil=3, occupation=Occupation.PETANI)

    scenario = _run(TRANSPORT_2026 + OTHER_2026 + 1_000)

    chosen = set(Selection.objects.filter(scenario=scenario).values_list("worker_id", flat=True))
    assert chosen == {ojek.pk, farmer.pk}
    assert scenario.cost == TRANSPORT_2026 + OTHER_2026 and scenario.unspent == 1_000
    approved = approve(by="test", scenario=scenario)
    assert dict(approved.entries.values_list("worker_id", "cost")) == {
        ojek.pk: TRANSPORT_2026,
        farmer.pk: OTHER_2026,
    }


@pytest.mark.usefixtures("apbdes_policy")
def test_apbd_pays_the_full_price_for_transport_workers() -> None:
    WorkerFactory(desil=1, occupation=Occupation.OJEK)
    WorkerFactory(desil=1, occupation=Occupation.SOPIR)

    scenario = _run(0, apbd=2 * 12 * FULL)

    assert scenario.selected == 2 and scenario.cost == 2 * 12 * FULL
    assert "apbd:transport" not in scenario.costs
    entries = approve(by="test", scenario=scenario).entries
    assert set(entries.values_list("cost", flat=True)) == {12 * FULL}


@pytest.mark.usefixtures("apbdes_policy")
def test_the_projection_prices_transport_workers_apart() -> None:
    WorkerFactory(desil=1, occupation=Occupation.OJEK, birth_date=datetime.date(1980, 5, 1))
    WorkerFactory(desil=1, occupation=Occupation.PETANI, birth_date=datetime.date(1980, 5, 1))
    scenario = _run(TRANSPORT_2026 + OTHER_2026)
    assert scenario.selected == 2

    year = queries.projection(scenario)[0]

    assert year.fiscal_year == 2027
    assert year.cost_per_worker["apbdes"] == OTHER_2027
    assert year.cost_per_worker["apbdes:transport"] == TRANSPORT_2027
    assert year.kept == 2
    assert year.kept_cost == year.same_number_cost == TRANSPORT_2027 + OTHER_2027
