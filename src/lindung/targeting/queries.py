"""Reads of scenarios: their breakdowns and a side-by-side comparison."""

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import Count

from lindung.formats import EMPTY
from lindung.regions.models import Region
from lindung.registry.models import TRANSPORT_OCCUPATIONS, Occupation, Sex
from lindung.targeting.lists import TRANSPORT, source_labels
from lindung.targeting.models import Scenario, Selection

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
    costs = [
        int(c) for code, c in scenario.costs.items() if int(c) > 0 and not code.endswith(TRANSPORT)
    ]
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
    labels = {code: label for s in scenarios for code, label in source_labels(s).items()}
    by_source = [
        Row(
            labels.get(code, code),
            [s.by_source.get(code, {}).get("selected", 0) for s in scenarios],
        )
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
            .values("source", "worker__birth_date", "worker__occupation")
            .annotate(n=Count("id"))
            .values_list("source", "worker__birth_date", "worker__occupation", "n")
        ),
        schema={"source": pl.String, "birth_date": pl.Date, "occupation": pl.String, "n": pl.Int64},
        orient="row",
    ).with_columns(pl.col("occupation").is_in(sorted(TRANSPORT_OCCUPATIONS)).alias("transport"))
    sources = [code for code in scenario.costs if not code.endswith(TRANSPORT)]
    result = []
    for year in range(scenario.fiscal_year + 1, scenario.fiscal_year + 1 + years):
        # per (source, transport worker): PP 50/2025 prices transport workers apart
        costs = {
            (code, sector is not None): source_cost(policy, code, year, sector=sector)
            for code in sources
            for sector in (None, "transport")
        }
        kept = born.filter(
            age_on_new_year(pl.col("birth_date"), year) <= policy.eligibility.max_age
        )
        result.append(
            ProjectionYear(
                fiscal_year=year,
                kept=int(kept.get_column("n").sum()),
                kept_cost=_priced(kept, costs),
                # the same number of workers per source and sector as this year
                same_number_cost=_priced(born, costs),
                cost_per_worker={code: costs[(code, False)] for code in sources}
                | {
                    code + TRANSPORT: costs[(code, True)]
                    for code in sources
                    if costs[(code, True)] != costs[(code, False)]
                },
            )
        )
    return result


def _priced(counts: pl.DataFrame, costs: dict[tuple[str, bool], int]) -> int:
    """What the workers of `counts` (source, transport, n) cost at `costs`."""
    per_group = counts.group_by("source", "transport").agg(pl.col("n").sum()).iter_rows()
    return sum(n * costs.get((code, transport), 0) for code, transport, n in per_group)
