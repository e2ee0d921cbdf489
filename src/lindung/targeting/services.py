"""Running a targeting scenario: policy + budgets + registry → the optimal selection.

    scenario = run_scenario(by=user, fiscal_year=2027, budgets={"apbd": 12_000_000_000})

Steps: the registry in bulk (rules.eligibility.registry_frame) → eligibility and priority under
the policy (rules.eligibility.eligibility) → the exact optimizer (targeting.optimizer) → the
selection written in bulk, totals per source and kecamatan, every worker's reason kept as
Parquet, one audit event.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor, actor_user
from lindung.audit.services import record
from lindung.bulk import insert_frame
from lindung.regions import scope
from lindung.regions.models import Level, Population, Region
from lindung.registry.models import TRANSPORT_OCCUPATIONS
from lindung.roles import Capability
from lindung.rules.eligibility import eligibility, registry_frame, self_paying_workers
from lindung.rules.models import Nomination, PolicyVersion
from lindung.rules.national import RulesError
from lindung.rules.policy import (
    Policy,
    active_policy,
    policy_of,
    registry_kabupaten,
    source_cost,
)
from lindung.targeting import optimizer
from lindung.targeting.lists import TRANSPORT, current_list, listed_workers, transport_costs
from lindung.targeting.models import BeneficiaryList, Scenario, Selection


class TargetingError(Exception):
    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


# The steps of a run, in order, as `run_scenario` reports them to `progress`.
STEPS = ("read", "eligibility", "optimize", "save")


def scenario_dir(scenario: Scenario) -> Path:
    return Path(settings.VAR_DIR) / "scenarios" / str(scenario.pk)


def _policy(number: int | None, kabupaten: str) -> tuple[Policy, PolicyVersion | None]:
    if number is None:
        return active_policy(kabupaten)
    version = PolicyVersion.objects.filter(number=number, kabupaten=kabupaten).first()
    if version is None:
        raise TargetingError(
            _("There is no policy version %(number)s of %(kabupaten)s.")
            % {"number": number, "kabupaten": kabupaten}
        )
    return policy_of(version.data, kabupaten), version


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
    """The policy's quotas for the optimizer; shares are of what the budgets pay for."""
    quotas = []
    for quota in policy.quotas:
        minimum = quota.minimum or 0
        if quota.minimum_share:
            minimum = max(minimum, int(quota.minimum_share * capacity))
        maximum = quota.maximum
        if quota.maximum_share is not None:
            share_max = int(quota.maximum_share * capacity)
            maximum = share_max if maximum is None else min(maximum, share_max)
        if quota.area.count(".") == 3:  # a desa
            kecamatan, _dot, _desa = quota.area.rpartition(".")
            quotas.append(
                optimizer.Quota(kecamatan, minimum=minimum, maximum=maximum, desa=quota.area)
            )
        else:
            quotas.append(optimizer.Quota(quota.area, minimum=minimum, maximum=maximum))
    return quotas


def population_shares(deployment: tuple[str, ...]) -> tuple[dict[str, float], list[str]]:
    """Each kecamatan's share of the deployment's population (latest figure per kecamatan),
    and the kecamatan without a figure."""
    kecamatan = list(
        Region.objects.within(list(deployment))
        .filter(level=Level.KECAMATAN)
        .values_list("code", flat=True)
        .order_by("code")
    )
    # ordered by year: the latest figure of a kecamatan wins
    latest: dict[str, int] = dict(
        Population.objects.filter(region_id__in=kecamatan)
        .order_by("region_id", "year")
        .values_list("region_id", "count")
    )
    total = sum(latest.values())
    shares = {code: count / total for code, count in latest.items()} if total else {}
    return shares, [code for code in kecamatan if code not in shares]


def _proportional(
    quotas: list[optimizer.Quota], workers: pl.DataFrame, covered: int, policy: Policy
) -> tuple[list[optimizer.Quota], list[dict[str, Any]]]:
    """Add to `quotas` a minimum per kecamatan of its population share of `covered` workers
    (at most its eligible workers); the rest of the budget goes by priority anywhere."""
    shares, unknown = population_shares(policy.deployment)
    eligible = dict(
        workers.filter(pl.col("eligible").list.len() > 0).group_by("kecamatan").len().iter_rows()
    )
    by_area = {(q.kecamatan, q.desa): q for q in quotas}
    for code, share in shares.items():
        floor = min(int(share * covered), int(eligible.get(code, 0)))
        existing = by_area.get((code, None))
        if existing is None:
            by_area[(code, None)] = optimizer.Quota(code, minimum=floor)
            continue
        minimum = max(existing.minimum, floor)
        if existing.maximum is not None:
            minimum = min(minimum, existing.maximum)
        by_area[(code, None)] = optimizer.Quota(code, minimum=minimum, maximum=existing.maximum)
    notes: list[dict[str, Any]] = [{"code": "proportional", "covered": covered}]
    if unknown:
        notes.append({"code": "no_population", "kecamatan": unknown})
    return list(by_area.values()), notes


def _optimize(
    workers: pl.DataFrame, sources: list[optimizer.Source], quotas: list[optimizer.Quota]
) -> optimizer.Solution:
    try:
        return optimizer.optimize(workers, sources, quotas)
    except optimizer.Infeasible as error:
        areas = [
            *_listed(error.details.get("kecamatan")),
            *_listed(error.details.get("desa")),
        ]
        names = dict(Region.objects.filter(code__in=areas).values_list("code", "name"))
        named = ", ".join(f"{names.get(code, code)} ({code})" for code in areas)
        raise TargetingError(
            _(
                "The quotas cannot be met with these budgets and eligible workers "
                "(%(areas)s). Lower the minimums or raise the budgets."
            )
            % {"areas": named or "-"},
            error.details,
        ) from error


def _listed(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def run_scenario(
    *,
    by: Actor,
    fiscal_year: int,
    budgets: dict[str, int] | None = None,
    policy_number: int | None = None,
    name: str = "",
    supplement: bool = False,
    progress: Callable[[str], object] | None = None,
    kabupaten: str | None = None,
) -> Scenario:
    """Select, for each funding source, the workers it pays for in `fiscal_year`, under the
    policy and budgets of `kabupaten` (left out: the installation's only one) and among its
    workers only.

    With `supplement`, the workers on the year's approved list count as already sponsored and
    the budgets cover more workers on top of it (approving the result adds them to the list).
    `progress` is told each step as it starts (`STEPS`: the background job shows them).
    """
    step = progress or (lambda code: None)
    step("read")
    if not 2000 <= fiscal_year <= 2100:
        raise TargetingError(_("The fiscal year must be a year such as 2027."))
    try:
        code = kabupaten or scope.sole_kabupaten()
    except LookupError as error:
        raise TargetingError(_("Say which regency/city the scenario is for.")) from error
    if not isinstance(by, str) and not (
        by.can(Capability.CONFIGURE) and scope.contains(scope.codes_for(by), code)
    ):
        raise TargetingError(_("You may run scenarios only for your own regency/city."))
    policy, version = _policy(policy_number, code)
    amounts = _budgets(policy, budgets)
    base = current_list(fiscal_year, code) if supplement else None
    if supplement and base is None:
        raise TargetingError(
            _("There is no approved list for %(year)s to add to.") % {"year": fiscal_year}
        )
    try:
        costs = {s.code: source_cost(policy, s.code, fiscal_year) for s in policy.sources}
        transport = {
            s.code: source_cost(policy, s.code, fiscal_year, sector="transport")
            for s in policy.sources
        }
    except RulesError as error:
        raise TargetingError(str(error)) from error
    nominated = set(
        Nomination.objects.filter(fiscal_year=fiscal_year).values_list("worker_id", flat=True)
    )
    already = listed_workers(base) if base is not None else set()
    registry = registry_frame(registry_kabupaten(policy))
    step("eligibility")
    frame = eligibility(
        registry, policy, fiscal_year, nominated, already, self_paying=self_paying_workers()
    )
    sources = [
        optimizer.Source(code, amounts[code], costs[code], transport[code]) for code in amounts
    ]
    capacity = sum(s.capacity for s in sources)
    workers = frame.select(
        pl.col("id").alias("worker_id"),
        pl.col("priority").cast(pl.Int64),
        pl.col("kecamatan_id").alias("kecamatan"),
        pl.col("desa_id").alias("desa"),
        pl.col("eligible"),
        pl.col("occupation").is_in(sorted(TRANSPORT_OCCUPATIONS)).alias("transport"),
    )
    step("optimize")
    quotas = _quotas(policy, capacity)
    solution = _optimize(workers, sources, quotas)
    notes: list[dict[str, Any]] = []
    if policy.proportional_to_population:
        quotas, notes = _proportional(quotas, workers, solution.assignment.height, policy)
        solution = _optimize(workers, sources, quotas)
    step("save")
    return _save(
        by=by,
        name=name,
        fiscal_year=fiscal_year,
        kabupaten=code,
        policy=policy,
        version=version,
        amounts=amounts,
        # a source's transport price under its own key when it differs (lists.TRANSPORT)
        costs=costs
        | {code + TRANSPORT: cost for code, cost in transport.items() if cost != costs[code]},
        frame=frame,
        solution=solution,
        base=base,
        notes=notes,
    )


@transaction.atomic
def _save(
    *,
    by: Actor,
    name: str,
    fiscal_year: int,
    kabupaten: str,
    policy: Policy,
    version: PolicyVersion | None,
    amounts: dict[str, int],
    costs: dict[str, int],
    frame: pl.DataFrame,
    solution: optimizer.Solution,
    base: BeneficiaryList | None,
    notes: list[dict[str, Any]],
) -> Scenario:
    chosen = (
        solution.assignment.join(
            frame.select(pl.col("id").alias("worker_id"), "priority", "kecamatan_id", "occupation"),
            on="worker_id",
        )
        .with_columns(
            pl.when(pl.col("occupation").is_in(sorted(TRANSPORT_OCCUPATIONS)))
            .then(pl.col("source").replace_strict(transport_costs(costs), return_dtype=pl.Int64))
            .otherwise(pl.col("source").replace_strict(costs, return_dtype=pl.Int64))
            .alias("cost")
        )
        .drop("occupation")
    )
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
    actor = actor_user(by)
    scenario = Scenario.objects.create(
        name=name[:200],
        fiscal_year=fiscal_year,
        kabupaten=kabupaten,
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
        base_list=base,
        notes=notes,
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
        action=Action.SCENARIO_RUN,
        obj=scenario,
        after={
            "fiscal_year": fiscal_year,
            "policy_version": version.number if version else None,
            "budgets": amounts,
            "supplement_to": base.number if base else None,
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
