"""Running a scenario over the registry: `lindung target` and the service behind it."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lindung.audit.models import Event
from lindung.targeting.models import Selection
from lindung.targeting.services import TargetingError, run_scenario, scenario_dir

pytestmark = pytest.mark.django_db
YEAR_COST = 12 * 16_800  # one APBD- or DBHCHT-paid worker in 2027 (no PP 50/2025 reduction)


def test_each_source_pays_for_the_highest_priority_workers_it_may_pay_for(
    registry: dict[str, Any],
) -> None:
    scenario = run_scenario(
        by="test", fiscal_year=2027, budgets={"apbd": 2 * YEAR_COST, "dbhcht": YEAR_COST + 5}
    )

    chosen = dict(Selection.objects.filter(scenario=scenario).values_list("worker_id", "source"))
    assert len(chosen) == 3
    assert chosen[registry["poorest"].pk] == "apbd"  # desil 1, female head: the top priority
    tobacco_paid = [w for w, source in chosen.items() if source == "dbhcht"]
    assert tobacco_paid and all(
        w in (registry["tobacco"].pk, registry["tobacco_2"].pk) for w in tobacco_paid
    )
    assert registry["rich"].pk not in chosen and registry["unknown"].pk not in chosen
    assert scenario.by_source["apbd"] == {
        "selected": 2, "cost": 2 * YEAR_COST, "budget": 2 * YEAR_COST,
    }  # fmt: skip
    assert scenario.by_source["dbhcht"]["selected"] == 1
    assert scenario.cost == 3 * YEAR_COST and scenario.unspent == 5
    assert scenario.eligible == 5 and scenario.workers == 7
    assert Event.objects.filter(action="scenario_run", object_id=str(scenario.pk)).exists()


def test_every_worker_gets_a_reason(registry: dict[str, Any]) -> None:
    scenario = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": YEAR_COST, "dbhcht": 0})

    reasons = pl.read_parquet(scenario_dir(scenario) / "explanations.parquet")
    assert reasons.height == 7
    by_worker = {r["worker_id"]: r for r in reasons.iter_rows(named=True)}
    assert by_worker[registry["poorest"].pk]["reason"] == "selected"
    assert by_worker[registry["farmer"].pk]["reason"] == "budget_exhausted"
    assert by_worker[registry["rich"].pk]["eligibility_reason"] == "desil"
    assert by_worker[registry["unknown"].pk]["eligibility_reason"] == "desil_missing"


@pytest.mark.parametrize(
    ("budgets", "message"),
    [({"baznas": 1}, "Unknown funding source"), ({"apbd": -1}, "0 or more")],
)
def test_bad_budgets_are_refused_and_nothing_is_saved(
    registry: dict[str, Any], budgets: dict[str, int], message: str
) -> None:
    with pytest.raises(TargetingError, match=message):
        run_scenario(by="test", fiscal_year=2027, budgets=budgets)
    assert not Selection.objects.exists()


def test_the_command_prints_the_json_contract_and_writes_the_list(
    registry: dict[str, Any], tmp_path: Path
) -> None:
    out = StringIO()
    path = tmp_path / "lampiran.xlsx"
    call_command(
        "target", "--year", "2027", "--budget", f"apbd={3 * YEAR_COST}", "--budget",
        "dbhcht=0", "--json", "--out", str(path), stdout=out,
    )  # fmt: skip

    result = json.loads(out.getvalue())
    assert set(result) == {"scenario", "selected", "cost", "by_source", "by_kecamatan", "unspent"}
    assert result["selected"] == 3 and result["unspent"] == 0
    assert (
        result["by_kecamatan"]["52.03.07"]["selected"]
        + result["by_kecamatan"].get("52.03.08", {"selected": 0})["selected"]
        == 3
    )
    listed = pl.read_excel(path, engine="calamine", read_options={"header_row": 2})
    assert listed.height == 3
    assert listed.get_column("NIK").cast(pl.String).str.len_chars().to_list() == [16, 16, 16]


def test_a_budget_that_is_not_a_number_is_refused_by_the_command() -> None:
    with pytest.raises(CommandError, match="SOURCE=RUPIAH"):
        call_command("target", "--year", "2027", "--budget", "apbd=banyak")
