"""The solution: which source pays for which worker, usage per source, and why each worker
was or was not selected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from lindung.targeting.optimizer.problem import Quota, Source
from lindung.targeting.optimizer.splits import transport_price


@dataclass(frozen=True)
class Solution:
    assignment: pl.DataFrame  # worker_id, source, rank (1 = highest priority within the source)
    objective: int  # total priority of the covered workers
    # source, capacity, workers, cost, budget, remaining, transport (workers at the transport
    # price); a two-price source's capacity is the workers its chosen split pays for
    per_source: pl.DataFrame
    optimal: bool
    gap: int  # upper bound minus objective; 0 when proven optimal
    _workers: pl.DataFrame = field(repr=False)  # worker_id, priority, _group, _pos
    _groups: pl.DataFrame = field(repr=False)  # _group, reason, threshold

    def explanations(self) -> pl.DataFrame:
        """One row per worker: worker_id, selected, source, rank, reason, threshold, message.

        ``reason`` is ``selected``, ``not_eligible`` (empty eligible list),
        ``kecamatan_maximum`` (its kecamatan is at its maximum), ``desa_maximum`` (its desa is at
        its maximum, its kecamatan is not) or ``budget_exhausted`` (every source it is eligible
        for is full; ``threshold`` is the lowest priority those sources selected, null when they
        selected nobody).
        """
        decided = self._workers.join(
            self.assignment, on="worker_id", how="left", maintain_order="left"
        ).join(self._groups, on="_group", how="left", maintain_order="left")
        reason = (
            pl.when(pl.col("source").is_not_null())
            .then(pl.lit("selected"))
            .otherwise(pl.col("reason"))
        )
        threshold = pl.when(pl.col("source").is_null()).then(pl.col("threshold"))
        message = (
            pl.when(pl.col("reason") == "selected")
            .then(pl.format("selected: source {}, rank {}", "source", "rank"))
            .when(pl.col("reason") == "not_eligible")
            .then(pl.lit("not eligible for any source"))
            .when(pl.col("reason") == "kecamatan_maximum")
            .then(pl.lit("kecamatan maximum reached"))
            .when(pl.col("reason") == "desa_maximum")
            .then(pl.lit("desa maximum reached"))
            .when(pl.col("threshold").is_null())
            .then(pl.lit("budget exhausted"))
            .otherwise(pl.format("budget exhausted at priority {}", "threshold"))
        )
        return (
            decided.select(
                "worker_id",
                pl.col("source").is_not_null().alias("selected"),
                "source",
                "rank",
                reason.alias("reason"),
                threshold.alias("threshold"),
            )
            .with_columns(message.alias("message"))
            .sort("worker_id")
        )

    def explain(self, worker_id: int) -> str:
        rows = self.explanations().filter(pl.col("worker_id") == worker_id)
        if rows.height == 0:
            raise KeyError(worker_id)
        return str(rows["message"][0])


def build_solution(
    frame: pl.DataFrame,
    groups: pl.DataFrame,
    sources: Sequence[Source],
    kecamatans: list[str],
    quota_of: dict[str, Quota],
    desa_quotas: list[Quota],
    covered: list[int],
    paid: list[list[tuple[int, int]]],
    prefix: list[int],
    *,
    capacities: list[int],
    optimal: bool,
    gap: int,
) -> Solution:
    codes = [s.code for s in sources]
    n_sources = len(sources)
    # Per group, where each source's share of the group's best workers ends.
    bounds: list[list[int]] = []
    per_source = [0] * n_sources
    transported = [0] * n_sources  # workers paid at the transport price
    for shares, transport in zip(paid, groups["_transport"].to_list(), strict=True):
        by_source = dict(shares)
        end, row = 0, []
        for j in range(n_sources):
            end += by_source.get(j, 0)
            per_source[j] += by_source.get(j, 0)
            if transport:
                transported[j] += by_source.get(j, 0)
            row.append(end)
        bounds.append(row)
    spent = [
        (n - t) * s.cost + t * transport_price(s)
        for n, t, s in zip(per_source, transported, sources, strict=True)
    ]
    bound_frame = pl.DataFrame(
        {
            "_group": groups["_group"],
            **{
                f"_end{j}": pl.Series([row[j] for row in bounds], dtype=pl.Int64)
                for j in range(n_sources)
            },
        },
        schema_overrides={"_group": pl.Int64},
    )
    source_expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for j in reversed(range(n_sources)):
        source_expr = (
            pl.when(pl.col("_pos") < pl.col(f"_end{j}"))
            .then(pl.lit(codes[j]))
            .otherwise(source_expr)
        )
    selected = (
        frame.filter(
            pl.col("_pos")
            < pl.col("_group").replace_strict(
                groups["_group"], pl.Series(covered, dtype=pl.Int64), return_dtype=pl.Int64
            )
        )
        .join(bound_frame, on="_group")
        .select("worker_id", "priority", source_expr.alias("source"))
        .with_columns(
            pl.col("source").replace_strict(codes, list(range(n_sources))).alias("_order")
        )
        .sort(["_order", "priority", "worker_id"], descending=[False, True, False])
        .with_columns((pl.int_range(pl.len(), dtype=pl.Int64).over("_order") + 1).alias("rank"))
    )
    assignment = selected.select("worker_id", "source", "rank")
    objective = sum(
        prefix[offset + x] - prefix[offset]
        for offset, x in zip(groups["_offset"].to_list(), covered, strict=True)
    )
    lowest = dict(selected.group_by("source").agg(pl.col("priority").min()).iter_rows())
    usage = pl.DataFrame(
        {
            "source": codes,
            "capacity": capacities,
            "workers": per_source,
            "cost": spent,
            "budget": [s.budget for s in sources],
            "remaining": [s.budget - c for c, s in zip(spent, sources, strict=True)],
            "transport": transported,
        },
        schema={
            "source": pl.String,
            "capacity": pl.Int64,
            "workers": pl.Int64,
            "cost": pl.Int64,
            "budget": pl.Int64,
            "remaining": pl.Int64,
            "transport": pl.Int64,
        },
    )
    group_kecamatan = groups["kecamatan"].to_list()
    group_desa = groups["_desa"].to_list()
    coverage = dict.fromkeys(kecamatans, 0)
    coverage_desa = [0] * len(desa_quotas)
    for k, d, x in zip(group_kecamatan, group_desa, covered, strict=True):
        coverage[k] += x
        if d >= 0:
            coverage_desa[d] += x
    reasons: list[str] = []
    thresholds: list[int | None] = []
    for k, d, mask in zip(group_kecamatan, group_desa, groups["_mask"].to_list(), strict=True):
        maximum = quota_of[k].maximum if k in quota_of else None
        desa_maximum = desa_quotas[d].maximum if d >= 0 else None
        floors = [
            lowest[codes[j]] for j in range(n_sources) if mask >> j & 1 and codes[j] in lowest
        ]
        if not mask:
            reasons.append("not_eligible")
            thresholds.append(None)
        elif maximum is not None and coverage[k] >= maximum:
            reasons.append("kecamatan_maximum")
            thresholds.append(None)
        elif desa_maximum is not None and coverage_desa[d] >= desa_maximum:
            reasons.append("desa_maximum")
            thresholds.append(None)
        else:
            reasons.append("budget_exhausted")
            thresholds.append(min(floors) if floors else None)
    group_reasons = pl.DataFrame(
        {"_group": groups["_group"], "reason": reasons, "threshold": thresholds},
        schema={"_group": pl.Int64, "reason": pl.String, "threshold": pl.Int64},
    )
    return Solution(
        assignment=assignment,
        objective=objective,
        per_source=usage,
        optimal=optimal,
        gap=gap,
        _workers=frame.select("worker_id", "_group"),
        _groups=group_reasons,
    )
