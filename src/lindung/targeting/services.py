"""Running a targeting scenario: policy + budgets + registry → the optimal selection.

    scenario = run_scenario(by=user, fiscal_year=2027, budgets={"apbd": 12_000_000_000})

Steps: the registry in bulk (rules.eligibility.registry_frame) → eligibility and priority under
the policy (rules.eligibility.eligibility) → the exact optimizer (targeting.optimizer) → the
selection written in bulk, totals per source and kecamatan, every worker's reason kept as
Parquet, one audit event.
"""

import datetime
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lindung.audit.services import record
from lindung.bulk import insert_frame
from lindung.rules.calculators import contribution
from lindung.rules.eligibility import eligibility, registry_frame
from lindung.rules.models import PolicyVersion
from lindung.rules.national import RulesError
from lindung.rules.policy import Policy, active_policy, policy_of
from lindung.targeting import optimizer
from lindung.targeting.models import Scenario, Selection

# Funding codes the contribution calculator knows; other policy sources (e.g. BAZNAS) are
# charged like CSR co-funding.
_CALCULATOR_FUNDING = {"apbd", "apbdes", "dbhcht", "csr", "mandiri", "apbd_provinsi"}


class TargetingError(Exception):
    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


def scenario_dir(scenario: Scenario) -> Path:
    return Path(settings.VAR_DIR) / "scenarios" / str(scenario.pk)


def source_cost(policy: Policy, code: str, fiscal_year: int) -> int:
    """One worker for the policy's coverage months of `fiscal_year`, paid by source `code`,
    under the national rules in force in each month."""
    funding = code if code in _CALCULATOR_FUNDING else "csr"
    return sum(
        contribution(
            policy.reported_income,
            programs=set(policy.programs),
            month=datetime.date(fiscal_year, month, 1),
            funding=funding,
        ).total_per_month
        for month in range(1, policy.coverage_months + 1)
    )


def _policy(number: int | None) -> tuple[Policy, PolicyVersion | None]:
    if number is None:
        return active_policy()
    version = PolicyVersion.objects.filter(number=number).first()
    if version is None:
        raise TargetingError(_("There is no policy version %(number)s.") % {"number": number})
    return policy_of(version.data), version


def _budgets(policy: Policy, budgets: dict[str, int] | None) -> dict[str, int]:
    result = {s.code: s.annual_budget for s in policy.sources}
    for code, amount in (budgets or {}).items():
        if code not in result:
            raise TargetingError(
                _("Unknown funding source %(code)s: the policy has %(known)s.")
                % {"code": code, "known": ", ".join(result)}
            )
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise TargetingError(
                _("The budget of %(code)s must be a whole number of rupiah, 0 or more.")
                % {"code": code}
            )
        result[code] = amount
    return result


def _quotas(policy: Policy, capacity: int) -> list[optimizer.Quota]:
    quotas = []
    for quota in policy.quotas:
        if quota.area.count(".") != 2:
            raise TargetingError(
                _("Quota for %(area)s: quotas per desa are not supported yet; use kecamatan.")
                % {"area": quota.area}
            )
        minimum = quota.minimum or 0
        if quota.minimum_share:
            minimum = max(minimum, int(quota.minimum_share * capacity))
        maximum = quota.maximum
        if quota.maximum_share is not None:
            share_max = int(quota.maximum_share * capacity)
            maximum = share_max if maximum is None else min(maximum, share_max)
        quotas.append(optimizer.Quota(quota.area, minimum=minimum, maximum=maximum))
    return quotas


def run_scenario(
    *,
    by: Any,
    fiscal_year: int,
    budgets: dict[str, int] | None = None,
    policy_number: int | None = None,
    name: str = "",
) -> Scenario:
    """Select, for each funding source, the workers it pays for in `fiscal_year`."""
    if not 2000 <= fiscal_year <= 2100:
        raise TargetingError(_("The fiscal year must be a year such as 2027."))
    policy, version = _policy(policy_number)
    amounts = _budgets(policy, budgets)
    try:
        costs = {s.code: source_cost(policy, s.code, fiscal_year) for s in policy.sources}
    except RulesError as error:
        raise TargetingError(str(error)) from error
    frame = eligibility(registry_frame(), policy, fiscal_year)
    sources = [optimizer.Source(code, amounts[code], costs[code]) for code in amounts]
    capacity = sum(s.capacity for s in sources)
    workers = frame.select(
        pl.col("id").alias("worker_id"),
        pl.col("priority").cast(pl.Int64),
        pl.col("kecamatan_id").alias("kecamatan"),
        pl.col("eligible"),
    )
    try:
        solution = optimizer.optimize(workers, sources, _quotas(policy, capacity))
    except optimizer.Infeasible as error:
        named = error.details.get("kecamatan") or []
        kecamatan = ", ".join(str(k) for k in named) if isinstance(named, list | tuple) else ""
        raise TargetingError(
            _(
                "The quotas cannot be met with these budgets and eligible workers "
                "(kecamatan: %(kecamatan)s). Lower the minimums or raise the budgets."
            )
            % {"kecamatan": kecamatan or "-"},
            error.details,
        ) from error
    return _save(
        by=by,
        name=name,
        fiscal_year=fiscal_year,
        policy=policy,
        version=version,
        amounts=amounts,
        costs=costs,
        frame=frame,
        solution=solution,
    )


@transaction.atomic
def _save(
    *,
    by: Any,
    name: str,
    fiscal_year: int,
    policy: Policy,
    version: PolicyVersion | None,
    amounts: dict[str, int],
    costs: dict[str, int],
    frame: pl.DataFrame,
    solution: optimizer.Solution,
) -> Scenario:
    chosen = solution.assignment.join(
        frame.select(pl.col("id").alias("worker_id"), "priority", "kecamatan_id"),
        on="worker_id",
    ).with_columns(pl.col("source").replace_strict(costs, return_dtype=pl.Int64).alias("cost"))
    by_source = {
        code: {
            "selected": int((chosen.get_column("source") == code).sum()),
            "cost": int(chosen.filter(pl.col("source") == code).get_column("cost").sum()),
            "budget": amounts[code],
        }
        for code in amounts
    }
    per_kecamatan = chosen.group_by("kecamatan_id").agg(
        pl.len().alias("selected"), pl.col("cost").sum().alias("cost")
    )
    by_kecamatan = {
        kec: {"selected": int(n), "cost": int(cost)}
        for kec, n, cost in per_kecamatan.sort("kecamatan_id").iter_rows()
    }
    cost = sum(s["cost"] for s in by_source.values())
    actor = by if getattr(by, "is_authenticated", False) else None
    scenario = Scenario.objects.create(
        name=name[:200],
        fiscal_year=fiscal_year,
        policy_version=version,
        policy_data=policy.to_data(),
        budgets=amounts,
        costs=costs,
        selected=chosen.height,
        cost=cost,
        unspent=sum(amounts.values()) - cost,
        objective=solution.objective,
        by_source=by_source,
        by_kecamatan=by_kecamatan,
        eligible=int(frame.get_column("reason").null_count()),
        workers=frame.height,
        created_by=actor,
    )
    _insert_selections(scenario, chosen)
    folder = scenario_dir(scenario)
    folder.mkdir(parents=True, exist_ok=True)
    solution.explanations().join(
        frame.select(
            pl.col("id").alias("worker_id"),
            pl.col("reason").alias("eligibility_reason"),
            pl.col("priority").alias("priority"),
        ),
        on="worker_id",
        how="left",
    ).write_parquet(folder / "explanations.parquet")
    record(
        by=by,
        action="scenario_run",
        obj=scenario,
        after={
            "fiscal_year": fiscal_year,
            "policy_version": version.number if version else None,
            "budgets": amounts,
            "selected": scenario.selected,
            "cost": cost,
        },
    )
    return scenario


def _insert_selections(scenario: Scenario, chosen: pl.DataFrame) -> None:
    rows = chosen.select(
        pl.lit(scenario.pk).alias("scenario_id"), "worker_id", "source", "rank", "priority"
    )
    insert_frame(Selection._meta.db_table, rows)


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    """The `lindung target --json` object."""
    return {
        "scenario": scenario.pk,
        "selected": scenario.selected,
        "cost": scenario.cost,
        "by_source": scenario.by_source,
        "by_kecamatan": scenario.by_kecamatan,
        "unspent": scenario.unspent,
    }
