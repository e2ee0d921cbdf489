"""Who the policy lets a budget pay for, and in what order: pure Polars over the registry.

`eligibility(workers, policy, fiscal_year)` adds three columns to a frame of REGISTRY_SCHEMA:
- `eligible`: the codes of the funding sources that may pay for the worker (policy order;
  empty when the worker fails a criterion);
- `reason`: null when eligible, else the first criterion that failed, in REASONS order;
- `priority`: the sum of the points in the `priority_parts` struct (see rules.policy).

`registry_frame()` reads the current (not merged) workers in bulk through the registry's
`registry.frames.workers_frame`: the only database step.
"""

import datetime
from collections.abc import Collection
from typing import Any

import polars as pl

from lindung.regions import scope
from lindung.registry.frames import WORKER_SCHEMA, workers_frame
from lindung.registry.models import SelfPayment
from lindung.rules.policy import Policy

# The registry columns eligibility reads, typed as the registry declares them.
REGISTRY_SCHEMA: dict[str, Any] = {
    column: WORKER_SCHEMA[column]
    for column in (
        "id",
        "nik",
        "birth_date",
        "sex",
        "desa_id",
        "kecamatan_id",
        "occupation",
        "desil",
        "disability",
        "female_head",
        "status",
    )
}
# The order criteria are checked in: a worker's reason is the first that fails.
REASONS = (
    "status",
    "age",
    "desil",
    "desil_missing",
    "occupation",
    "outside_deployment",
    "self_paying",
    "already_sponsored",
    "no_source",
)
PRIORITY_PARTS = ("desil", "female_head", "disability", "high_risk", "age", "nomination")
_CHUNK = 100_000


def age_on_new_year(birth_date: pl.Expr, fiscal_year: int) -> pl.Expr:
    """Whole years of age on 1 January of `fiscal_year`."""
    born_on_new_year = (birth_date.dt.month() == 1) & (birth_date.dt.day() == 1)
    return (
        pl.lit(fiscal_year, pl.Int32)
        - birth_date.dt.year().cast(pl.Int32)
        - pl.when(born_on_new_year).then(0).otherwise(1)
    )


def _in_areas(areas: Collection[str]) -> pl.Expr:
    codes = list(areas)
    return pl.col("kecamatan_id").is_in(codes) | pl.col("desa_id").is_in(codes)


def _in_deployment(deployment: Collection[str]) -> pl.Expr:
    if not deployment:
        return pl.lit(True)
    return scope.expr(deployment, "desa_id")


def priority_parts(policy: Policy, fiscal_year: int, nominations: Collection[int]) -> pl.Expr:
    """Each weight's points for a worker, as a struct of PRIORITY_PARTS."""
    weights = policy.priority
    ceiling = policy.eligibility.max_desil + 1
    age = age_on_new_year(pl.col("birth_date"), fiscal_year)
    age_points: pl.Expr = pl.lit(0, pl.Int64)
    for band in weights.age_bands:
        age_points = age_points + pl.when(age.is_between(band.min_age, band.max_age)).then(
            band.points
        ).otherwise(0)
    flag = {
        "female_head": pl.col("female_head").fill_null(value=False),
        "disability": pl.col("disability").fill_null(value=False),
        "high_risk": pl.col("occupation").is_in(list(weights.high_risk_occupations)),
        "nomination": pl.col("id").is_in(list(nominations)),
    }
    return pl.struct(
        desil=(
            (ceiling - pl.col("desil").cast(pl.Int64)).clip(lower_bound=0).fill_null(0)
            * weights.desil
        ),
        female_head=pl.when(flag["female_head"]).then(weights.female_head).otherwise(0),
        disability=pl.when(flag["disability"]).then(weights.disability).otherwise(0),
        high_risk=pl.when(flag["high_risk"]).then(weights.high_risk).otherwise(0),
        age=age_points,
        nomination=pl.when(flag["nomination"]).then(weights.nomination).otherwise(0),
    ).cast(pl.Struct(dict.fromkeys(PRIORITY_PARTS, pl.Int64)))


def eligibility(
    workers: pl.DataFrame,
    policy: Policy,
    fiscal_year: int,
    nominations: Collection[int] = frozenset(),
    already_sponsored: Collection[int] = frozenset(),
    self_paying: Collection[int] = frozenset(),
) -> pl.DataFrame:
    """`workers` with `eligible`, `reason`, `priority` and `priority_parts` (see module doc).
    `self_paying`: the workers who pay BPJS TK themselves (`self_paying_workers()`), not
    eligible unless the policy sponsors them."""
    rules = policy.eligibility
    age = age_on_new_year(pl.col("birth_date"), fiscal_year)
    occupation_ok = ~pl.col("occupation").is_in(list(rules.occupations_excluded))
    if rules.occupations_included:
        occupation_ok = occupation_ok & pl.col("occupation").is_in(list(rules.occupations_included))
    failed = {
        "status": ~pl.col("status").is_in(list(rules.statuses)),
        "age": ~age.is_between(rules.min_age, rules.max_age),
        "desil": pl.col("desil") > rules.max_desil,
        "desil_missing": pl.col("desil").is_null() & pl.lit(rules.missing_desil == "exclude"),
        "occupation": ~occupation_ok,
        "outside_deployment": ~_in_deployment(policy.deployment),
        "self_paying": pl.lit(not policy.sponsor_self_paying)
        & pl.col("id").is_in(list(self_paying)),
        "already_sponsored": pl.col("id").is_in(list(already_sponsored)),
    }
    # Each source one bit of `_payers` (policy.MAX_SOURCES keeps to an Int64): a bit mask per
    # worker is much faster than a list per worker.
    mask: pl.Expr = pl.lit(0, pl.Int64)
    for bit, source in enumerate(policy.sources):
        allowed: pl.Expr = pl.lit(True)
        if source.occupations:
            allowed = allowed & pl.col("occupation").is_in(list(source.occupations))
        if source.areas:
            allowed = allowed & _in_areas(source.areas)
        mask = mask | pl.when(allowed).then(pl.lit(1 << bit, pl.Int64)).otherwise(0)
    reason: pl.Expr = pl.when(pl.col("_payers") == 0).then(pl.lit("no_source"))
    for code in reversed(REASONS[:-1]):
        reason = pl.when(failed[code].fill_null(value=False)).then(pl.lit(code)).otherwise(reason)
    checked = workers.with_columns(mask.alias("_payers")).with_columns(
        reason.alias("reason"),
        priority_parts(policy, fiscal_year, nominations).alias("priority_parts"),
    )
    codes = [s.code for s in policy.sources]
    present = [0, *checked.get_column("_payers").unique().to_list()]
    lists = {m: [c for bit, c in enumerate(codes) if m >> bit & 1] for m in set(present)}
    return checked.with_columns(
        pl.when(pl.col("reason").is_null())
        .then(pl.col("_payers"))
        .otherwise(0)
        .replace_strict(lists, return_dtype=pl.List(pl.String))
        .alias("eligible"),
        pl.sum_horizontal(
            *(pl.col("priority_parts").struct.field(p) for p in PRIORITY_PARTS)
        ).alias("priority"),
    ).drop("_payers")


def explain(frame: pl.DataFrame, worker_id: int) -> dict[str, int]:
    """One worker's points per weight (from an `eligibility` result), plus their total."""
    row = frame.filter(pl.col("id") == worker_id).row(0, named=True)
    return {**row["priority_parts"], "total": row["priority"]}


def summary(frame: pl.DataFrame, policy: Policy) -> dict[str, Any]:
    """Counts for the live preview: eligible in total, per source, and per failed criterion."""
    per_source = frame.select(
        *(pl.col("eligible").list.contains(s.code).sum().alias(s.code) for s in policy.sources)
    )
    reasons = frame.get_column("reason").drop_nulls().value_counts()
    by_reason = dict(zip(reasons["reason"].to_list(), reasons["count"].to_list(), strict=True))
    return {
        "workers": frame.height,
        "eligible": frame.get_column("reason").null_count(),
        "per_source": [
            (s, int(per_source[s.code][0]) if frame.height else 0) for s in policy.sources
        ],
        "per_reason": [(code, by_reason.get(code, 0)) for code in REASONS],
    }


def self_paying_workers() -> set[int]:
    """The workers recorded as active self-paying participants (registry.SelfPayment)."""
    return set(SelfPayment.objects.filter(active=True).values_list("worker_id", flat=True))


def registry_frame(kabupaten: str | None = None) -> pl.DataFrame:
    """The current (not merged) workers with REGISTRY_SCHEMA's columns, read in bulk, by id;
    only those of `kabupaten` when given (a policy concerns its own kabupaten/kota)."""
    return workers_frame(list(REGISTRY_SCHEMA), kabupaten=kabupaten)


def sample_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A frame of REGISTRY_SCHEMA from dicts, missing keys filled with an eligible worker's
    values (for tests and examples)."""
    base: dict[str, Any] = {
        "nik": "5203070101800001",
        "birth_date": datetime.date(1980, 5, 28),
        "sex": "L",
        "desa_id": "52.03.07.1001",
        "kecamatan_id": "52.03.07",
        "occupation": "petani",
        "desil": 2,
        "disability": False,
        "female_head": False,
        "status": "aktif",
    }
    filled = [{**base, "id": i + 1, **row} for i, row in enumerate(rows)]
    return pl.DataFrame(filled, schema=REGISTRY_SCHEMA)
