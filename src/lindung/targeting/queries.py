"""Reads of scenarios: their breakdowns and a side-by-side comparison."""

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import Count

from lindung.regions.models import Region
from lindung.registry.models import Occupation, Sex
from lindung.targeting.models import Scenario, Selection
from lindung.ui.templatetags.lindung_format import EMPTY

BREAKDOWNS = {
    "occupation": ("worker__occupation", dict(Occupation.choices)),
    "sex": ("worker__sex", dict(Sex.choices)),
    "desil": ("worker__desil", {}),
}


def breakdown(scenario: Scenario, by: str) -> dict[str, int]:
    """Covered workers per occupation, sex or desil (labels as keys)."""
    field, labels = BREAKDOWNS[by]
    rows = (
        Selection.objects.filter(scenario=scenario)
        .values(field)
        .annotate(n=Count("id"))
        .order_by(field)
    )
    result: dict[str, int] = {}
    for row in rows:
        value = row[field]
        result[str(labels.get(value, value) if value is not None else EMPTY)] = row["n"]
    return result


def kecamatan_names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def cost_per_worker(scenario: Scenario) -> int | None:
    return scenario.cost // scenario.selected if scenario.selected else None


def extra_budget_covers(scenario: Scenario, extra: int) -> int:
    """About how many more workers `extra` rupiah would cover: at the cheapest source's cost,
    at most the eligible workers not yet covered."""
    costs = [int(c) for c in scenario.costs.values() if int(c) > 0]
    if not costs:
        return 0
    return min(extra // min(costs), max(scenario.eligible - scenario.selected, 0))


@dataclass(frozen=True)
class Row:
    label: str
    values: list[Any]


def compare(scenarios: list[Scenario]) -> dict[str, list[Row]]:
    """Tables with one column per scenario: totals, per source, per kecamatan, per occupation,
    sex and desil."""
    totals = [
        Row("fiscal_year", [s.fiscal_year for s in scenarios]),
        Row("selected", [s.selected for s in scenarios]),
        Row("cost", [s.cost for s in scenarios]),
        Row("unspent", [s.unspent for s in scenarios]),
        Row("cost_per_worker", [cost_per_worker(s) for s in scenarios]),
        Row("eligible", [s.eligible for s in scenarios]),
    ]
    sources = sorted({code for s in scenarios for code in s.by_source})
    by_source = [
        Row(code, [s.by_source.get(code, {}).get("selected", 0) for s in scenarios])
        for code in sources
    ]
    codes = sorted({code for s in scenarios for code in s.by_kecamatan})
    names = kecamatan_names(codes)
    by_kecamatan = [
        Row(
            names.get(code, code),
            [s.by_kecamatan.get(code, {}).get("selected", 0) for s in scenarios],
        )
        for code in codes
    ]
    tables = {"totals": totals, "by_source": by_source, "by_kecamatan": by_kecamatan}
    for name in BREAKDOWNS:
        parts = [breakdown(s, name) for s in scenarios]
        keys = sorted({k for part in parts for k in part})
        tables[f"by_{name}"] = [Row(k, [part.get(k, 0) for part in parts]) for k in keys]
    return tables


@dataclass(frozen=True)
class ProjectionYear:
    fiscal_year: int
    kept: int  # covered workers still within the policy's age range
    kept_cost: int  # what keeping them costs that year
    same_number_cost: int  # what covering as many workers as this year costs
    cost_per_worker: dict[str, int]  # per source, under the national rules in force that year


def projection(scenario: Scenario, years: int = 3) -> list[ProjectionYear]:
    """The cost of the scenario's list in the next `years` fiscal years, under the national rules
    in force each month (a reduction that ends raises the cost) and the policy's income, months
    and age range: the same workers minus those who age out, and the same number of workers."""
    from lindung.rules.eligibility import age_on_new_year
    from lindung.rules.policy import policy_of, source_cost

    policy = policy_of(scenario.policy_data)
    born = pl.DataFrame(
        list(
            Selection.objects.filter(scenario=scenario)
            .values("source", "worker__birth_date")
            .annotate(n=Count("id"))
            .values_list("source", "worker__birth_date", "n")
        ),
        schema={"source": pl.String, "birth_date": pl.Date, "n": pl.Int64},
        orient="row",
    )
    result = []
    for year in range(scenario.fiscal_year + 1, scenario.fiscal_year + 1 + years):
        costs = {code: source_cost(policy, code, year) for code in scenario.costs}
        kept = born.filter(
            age_on_new_year(pl.col("birth_date"), year) <= policy.eligibility.max_age
        )
        per_source = dict(kept.group_by("source").agg(pl.col("n").sum()).iter_rows())
        result.append(
            ProjectionYear(
                fiscal_year=year,
                kept=sum(per_source.values()),
                kept_cost=sum(n * costs.get(code, 0) for code, n in per_source.items()),
                same_number_cost=sum(
                    int(figures["selected"]) * costs.get(code, 0)
                    for code, figures in scenario.by_source.items()
                ),
                cost_per_worker=costs,
            )
        )
    return result
