"""Minimum quotas that cannot be met: counted before any flow is solved, or found by the flow."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lindung.targeting.optimizer.network import Network
from lindung.targeting.optimizer.problem import Quota, Source


class Infeasible(Exception):
    """The minimum quotas cannot all be met; ``details`` says where and why."""

    def __init__(self, message: str, details: dict[str, object]) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


def check_counts(
    groups: pl.DataFrame,
    sources: Sequence[Source],
    kecamatans: list[str],
    quota_of: dict[str, Quota],
    desa_quotas: list[Quota],
) -> None:
    """Name the quotas that counting alone shows cannot be met (before any flow is solved)."""
    inverted = [k for k, q in quota_of.items() if q.maximum is not None and q.maximum < q.minimum]
    inverted_desa = [q for q in desa_quotas if q.maximum is not None and q.maximum < q.minimum]
    if inverted or inverted_desa:
        raise Infeasible(
            f"Minimum above maximum in {_where(sorted(inverted), inverted_desa)}",
            _details("minimum_above_maximum", sorted(inverted), inverted_desa),
        )
    eligible_groups = groups.filter(pl.col("_mask") != 0)
    eligible = dict(eligible_groups.group_by("kecamatan").agg(pl.col("_size").sum()).iter_rows())
    eligible_desa = dict(eligible_groups.group_by("_desa").agg(pl.col("_size").sum()).iter_rows())
    short = {
        k: {"minimum": quota_of[k].minimum, "eligible": eligible.get(k, 0)}
        for k in kecamatans
        if k in quota_of and quota_of[k].minimum > eligible.get(k, 0)
    }
    short_desa = {
        i: {"minimum": q.minimum, "eligible": eligible_desa.get(i, 0)}
        for i, q in enumerate(desa_quotas)
        if q.minimum > eligible_desa.get(i, 0)
    }
    if short or short_desa:
        desa = [desa_quotas[i] for i in short_desa]
        raise Infeasible(
            f"Not enough eligible workers for the minimum in {_where(list(short), desa)}",
            _details(
                "not_enough_eligible",
                list(short),
                desa,
                counts=short,
                **_desa_counts(short_desa, desa_quotas),
            ),
        )
    desa_in: dict[str, list[Quota]] = {}
    for q in desa_quotas:
        desa_in.setdefault(q.kecamatan, []).append(q)
    maximum_of = {k: q.maximum for k, q in quota_of.items() if q.maximum is not None}
    crowded = [
        k
        for k in kecamatans
        if k in maximum_of and sum(q.minimum for q in desa_in.get(k, [])) > maximum_of[k]
    ]
    if crowded:
        desa = [q for k in crowded for q in desa_in[k] if q.minimum]
        raise Infeasible(
            f"The desa minimums exceed the kecamatan maximum in {_where(crowded, desa)}",
            _details("desa_minimums_above_maximum", crowded, desa),
        )
    capped: list[Quota] = []  # desa whose maximum leaves some of their eligible workers out
    reachable = dict(eligible)
    for i, q in enumerate(desa_quotas):
        if q.maximum is not None and q.maximum < eligible_desa.get(i, 0):
            capped.append(q)
            reachable[q.kecamatan] -= eligible_desa[i] - q.maximum
    out_of_reach = {
        k: {"minimum": quota_of[k].minimum, "reachable": reachable.get(k, 0)}
        for k in kecamatans
        if k in quota_of and quota_of[k].minimum > reachable.get(k, 0)
    }
    if out_of_reach:
        desa = [q for q in capped if q.kecamatan in out_of_reach]
        raise Infeasible(
            "The desa maximums keep the minimum out of reach in "
            + _where(list(out_of_reach), desa),
            _details("desa_maximums_below_minimum", list(out_of_reach), desa, counts=out_of_reach),
        )
    floor = {k: q.minimum for k, q in quota_of.items()}
    for k, inside in desa_in.items():
        floor[k] = max(floor.get(k, 0), sum(q.minimum for q in inside))
    needed = sum(floor.values())
    capacity = sum(s.most for s in sources)
    if needed > capacity:
        named = [k for k in kecamatans if floor.get(k, 0) > 0]
        desa = [q for q in desa_quotas if q.minimum > 0]
        raise Infeasible(
            f"The minimums ({needed}) exceed what all budgets pay for ({capacity}) "
            f"in {_where(named, desa)}",
            _details("minimums_exceed_capacity", named, desa, minimums=needed, capacity=capacity),
        )


def raise_unreachable(
    network: Network, kecamatans: list[str], quota_of: dict[str, Quota], desa_quotas: list[Quota]
) -> None:
    reached, reached_desa = network.real_coverage()
    short: dict[str, dict[str, int | None]] = {
        k: {"minimum": quota_of[k].minimum, "reachable": reached[i]}
        for i, k in enumerate(kecamatans)
        if k in quota_of and reached[i] < quota_of[k].minimum
    }
    short_desa: dict[int, dict[str, int | None]] = {
        i: {"minimum": q.minimum, "reachable": reached_desa[i]}
        for i, q in enumerate(desa_quotas)
        if reached_desa[i] < q.minimum
    }
    if not short and not short_desa:
        short = {
            k: {"minimum": q.minimum, "reachable": None} for k, q in quota_of.items() if q.minimum
        }
        short_desa = {
            i: {"minimum": q.minimum, "reachable": None}
            for i, q in enumerate(desa_quotas)
            if q.minimum
        }
    desa = [desa_quotas[i] for i in short_desa]
    raise Infeasible(
        "The sources' budgets cannot reach the minimum in " + _where(list(short), desa),
        _details(
            "sources_cannot_reach",
            list(short),
            desa,
            counts=short,
            **_desa_counts(short_desa, desa_quotas),
        ),
    )


def _where(kecamatans: list[str], desa: list[Quota]) -> str:
    """Name places for a message: ``kecamatan A, B; desa C (kecamatan A)``."""
    parts = []
    if kecamatans:
        parts.append("kecamatan " + ", ".join(kecamatans))
    if desa:
        parts.append("desa " + ", ".join(f"{q.desa} (kecamatan {q.kecamatan})" for q in desa))
    return "; ".join(parts)


def _details(
    reason: str, kecamatans: list[str], desa: list[Quota], **extra: object
) -> dict[str, object]:
    """``kecamatan`` names the kecamatan concerned and those of the desa; ``desa`` the desa."""
    details: dict[str, object] = {"reason": reason, "kecamatan": list(kecamatans)}
    if desa:
        details["kecamatan"] = sorted(set(kecamatans) | {q.kecamatan for q in desa})
        details["desa"] = [q.desa for q in desa]
    return details | extra


def _desa_counts(
    counts: dict[int, dict[str, int | None]], desa_quotas: list[Quota]
) -> dict[str, object]:
    """``desa_counts`` (desa -> counts) for the details, when desa are concerned."""
    if not counts:
        return {}
    return {"desa_counts": {desa_quotas[i].desa: c for i, c in counts.items()}}
