"""Choose which vulnerable workers each funding source pays BPJS contributions for.

Pure Python and Polars; no Django. The caller translates the English messages.

The problem
-----------
Each source ``j`` can pay for at most ``capacity_j = budget_j // cost_j`` workers; each worker
is covered at most once, by one of the sources in its ``eligible`` list; each kecamatan ``k``
may have a minimum ``m_k`` (hard) and a maximum ``M_k`` on its covered workers, and so may each
desa ``d`` (``m_d``, ``M_d``). A desa lies inside one kecamatan, and both levels may be set at
once: a kecamatan's covered workers include those of its desa. We maximise the total priority
of the covered workers and, among the optimal choices, the number of covered workers (so a
budget is never left unused while an eligible worker with priority 0 waits).

Why groups suffice
------------------
Workers with the same kecamatan, the same desa (only when that desa has a quota; the others
count as "no desa") and the same set of eligible sources are interchangeable for every
constraint. If a solution covers worker ``a`` and not a worker ``b`` of the same group
with a higher priority (or equal priority and a smaller ``worker_id``), giving ``a``'s slot to
``b`` keeps every budget and quota and does not lower the objective. So some optimal solution
covers, in each group, exactly a prefix of the group sorted by (priority desc, worker_id asc),
and the only decisions left are the numbers ``f_jg`` of workers source ``j`` pays for in group
``g``. Covering ``x`` workers of group ``g`` gains the sum of its ``x`` best priorities, a
concave piecewise-linear function of ``x``.

The flow network
----------------
``S -> source j`` (capacity ``capacity_j``) ``-> group g`` (when ``j`` is eligible)
``-> kecamatan k`` (convex cost: minus the gain of the group's best workers)
``-> T`` (lower bound ``m_k``, upper bound ``M_k``) ``-> S`` (return arc), i.e. a min-cost
circulation with convex separable arc costs. A group of a desa ``d`` with a quota flows
``-> desa d`` instead (same convex cost) ``-> kecamatan k`` (lower bound ``m_d``, upper bound
``M_d``), so the desa arc carries the desa's covered workers and the kecamatan arc still
carries all of the kecamatan's. Lower bounds become supplies (``k`` needs ``m_k``, ``T`` has
``m_k``; ``d`` needs ``m_d``, ``k`` has ``m_d``); artificial arcs ``S <-> v`` with a cost above
any possible gain keep every imbalance routable, and the minimums are infeasible exactly when
the optimum still uses them (counting first names the plain cases: too few eligible workers in
a desa or kecamatan, desa minimums above their kecamatan's maximum, desa maximums below their
kecamatan's minimum, minimums above all budgets). Each worker's weight is
``priority * (n + 1) + 1``, which orders solutions by total priority first and by number of
covered workers second.

The algorithm
-------------
The capacity-scaling algorithm for convex cost flows (Ahuja, Magnanti and Orlin, *Network
Flows*, section 14.5): in the Delta-phase flows change by Delta units, an arc's cost for a step
is its cost difference over the Delta units, and node potentials keep every Delta-residual
arc's reduced cost non-negative ("Delta-optimality"). Each phase first saturates the few arcs
that violate it after halving Delta (at most one step per arc, by convexity), then moves the
imbalances along shortest paths (Dijkstra on reduced costs) Delta units at a time. The last
phase has Delta = 1, where Delta-optimality is the ordinary optimality condition of a convex
cost flow with integral breakpoints, so the result is exactly optimal. The graph has only
``2 + sources + kecamatan + desa with a quota + groups`` nodes, and there are ``O(log n)``
phases with ``O(arcs)`` shortest paths each, independent of the number of workers; Polars does
the per-worker work.
Costs are multiplied by the first Delta (a power of two), so every potential stays an integer.

Two prices per source
---------------------
PP 50/2025 halves JKK + JKM for transport workers (ojek, sopir) longer than for the others
unless APBN/APBD pays, so a source may pay ``transport_cost`` for a worker whose ``transport``
is true and ``cost`` for the others: its budget holds ``t`` transport and ``o`` other workers
when ``transport_cost * t + cost * o <= budget``, a knapsack constraint that no flow expresses.
Workers are then grouped by sector too, and such a source pays through a transport node and an
other node (capacities ``t`` and ``o``). Let ``F(t, o)`` be the optimum (total weight, less
the artificial arcs' cost) with those capacities: the value of a linear program with integral
optima, so concave and non-decreasing in ``(t, o)``; the best ``o`` for a ``t`` is
``(budget - transport_cost * t) // cost``. Along each residue ``r`` of ``t`` modulo
``q = cost / gcd(cost, transport_cost)`` that ``o`` is affine in ``t``, so ``F`` is a concave
sequence there: a search from a guess (galloping, then bisection) finds its maximum, and the
best of the ``q`` residues (5 for 100.800 / 126.000) is the exact optimum for that source.
Before searching, the relaxation ``t <= budget // transport_cost``, ``o <= budget // cost``,
``t + o <= budget // min(cost, transport_cost)`` (a flow through one more node) gives an upper
bound, and when its answer already keeps every budget it is optimal and nothing is searched.
With one source of two prices the result is exact. With several, each source's split is
searched in turn, the others fixed, until none moves: ``optimal`` is true only when the
relaxation's bound is reached, and ``gap`` is that bound's total priority minus the found one.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl

__all__ = ["Infeasible", "Quota", "Solution", "Source", "optimize"]

_MAX_SOURCES = 62  # eligibility sets are Int64 bit masks
_INFINITE = -1
_MAX_ROUNDS = 20  # of the coordinate search over several two-price sources


@dataclass(frozen=True)
class Source:
    code: str
    budget: int  # rupiah
    cost: int  # rupiah per worker per year
    transport_cost: int | None = None  # per transport worker (``transport`` column); None: cost

    @property
    def capacity(self) -> int:
        return self.budget // self.cost

    @property
    def two_prices(self) -> bool:
        return self.transport_cost is not None and self.transport_cost != self.cost

    @property
    def most(self) -> int:
        """The most workers the budget pays for, all at the lower of its prices."""
        return self.budget // min(self.cost, self.transport_cost or self.cost)


@dataclass(frozen=True)
class Quota:
    """Bounds on the covered workers of a kecamatan, or of one of its desa when ``desa`` is set."""

    kecamatan: str
    minimum: int = 0
    maximum: int | None = None
    desa: str | None = None


class Infeasible(Exception):
    """The minimum quotas cannot all be met; ``details`` says where and why."""

    def __init__(self, message: str, details: dict[str, object]) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


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


def optimize(
    workers: pl.DataFrame, sources: Sequence[Source], quotas: Sequence[Quota] = ()
) -> Solution:
    """Cover the workers with the highest total priority within every budget and quota.

    ``workers`` has ``worker_id`` (Int64), ``priority`` (Int64 >= 0), ``kecamatan`` (String)
    and ``eligible`` (List[String] of source codes; codes of no given source are ignored), and
    ``desa`` (String, nulls allowed) when a quota names a desa, and ``transport`` (Boolean,
    nulls false) when a source has a ``transport_cost``: without it every worker costs
    ``cost``. A worker of a desa with a quota must lie in that quota's kecamatan.
    Raises ``Infeasible`` when the minimum quotas cannot all be met.
    """
    _validate(workers, sources, quotas)
    codes = [s.code for s in sources]
    by_sector = "transport" in workers.columns and any(s.two_prices for s in sources)
    two_price = [j for j, s in enumerate(sources) if s.two_prices] if by_sector else []
    desa_quotas = sorted((q for q in quotas if q.desa is not None), key=_desa_key)
    frame, groups = _group_workers(
        workers, codes, [q.desa or "" for q in desa_quotas], by_sector=by_sector
    )
    kecamatans = sorted(set(groups["kecamatan"].to_list()) | {q.kecamatan for q in quotas})
    quota_of = {q.kecamatan: q for q in quotas if q.desa is None}
    _check_counts(groups, sources, kecamatans, quota_of, desa_quotas)

    group_transport = groups["_transport"].to_list()
    group_mask = groups["_mask"].to_list()
    group_size = groups["_size"].to_list()
    prefix = [0, *frame["priority"].cum_sum().to_list()]

    def solve(splits: dict[int, tuple[int, int, int]]) -> _Network:
        network = _Network(
            capacities=[splits[j][0] if j in splits else s.capacity for j, s in enumerate(sources)],
            splits=splits,
            kecamatans=kecamatans,
            quotas=quota_of,
            desa_quotas=desa_quotas,
            group_kecamatan=groups["kecamatan"].to_list(),
            group_desa=groups["_desa"].to_list(),
            group_mask=group_mask,
            group_transport=group_transport,
            group_size=group_size,
            group_offset=groups["_offset"].to_list(),
            prefix=prefix,
            workers=frame.height,
        )
        network.solve()
        return network

    if two_price:
        transport_eligible = [
            sum(
                n
                for n, m, t in zip(group_size, group_mask, group_transport, strict=True)
                if t and m >> j & 1
            )
            for j in range(len(sources))
        ]
        network, optimal, gap = _search_splits(
            solve, sources, two_price, transport_eligible, frame.height
        )
    else:
        network, optimal, gap = solve({}), True, 0
    if network.artificial_flow() > 0:
        _raise_unreachable(network, kecamatans, quota_of, desa_quotas)

    covered, paid = network.group_flows()
    return _build_solution(
        frame,
        groups,
        sources,
        kecamatans,
        quota_of,
        desa_quotas,
        covered,
        paid,
        prefix,
        capacities=[
            network.splits[j][0] if j in network.splits else s.capacity
            for j, s in enumerate(sources)
        ],
        optimal=optimal,
        gap=gap,
    )


def _search_splits(
    solve: Callable[[dict[int, tuple[int, int, int]]], _Network],
    sources: Sequence[Source],
    two_price: list[int],
    transport_eligible: list[int],
    workers: int,
) -> tuple[_Network, bool, int]:
    """The split of each two-price source's budget between transport and other workers.

    Returns the network solved at the best split found, whether it is proven optimal, and
    the gap (an upper bound on the total priority minus the one found). See "Two prices per
    source" in the module docstring.
    """
    relaxed = solve(
        {
            j: (
                sources[j].most,
                sources[j].budget // _transport_cost(sources[j]),
                sources[j].capacity,
            )
            for j in two_price
        }
    )
    upper = relaxed.value()
    if all(
        relaxed.transport_flow(j) * _transport_cost(sources[j])
        + relaxed.other_flow(j) * sources[j].cost
        <= sources[j].budget
        for j in two_price
    ):  # the relaxation's answer keeps every budget: it is optimal
        point = {j: relaxed.transport_flow(j) for j in two_price}
        return solve({j: _split(sources[j], point[j]) for j in two_price}), True, 0
    values: dict[tuple[int, ...], int] = {}

    def value(point: dict[int, int]) -> int:
        key = tuple(point[j] for j in two_price)
        if key not in values:
            values[key] = solve({j: _split(sources[j], point[j]) for j in two_price}).value()
        return values[key]

    highest = {
        j: min(sources[j].budget // _transport_cost(sources[j]), transport_eligible[j])
        for j in two_price
    }
    point = {j: min(relaxed.transport_flow(j), highest[j]) for j in two_price}
    for _round in range(_MAX_ROUNDS):
        moved = False
        for j in two_price:
            best = _best_split(j, point, highest[j], sources[j], value)
            if best != point[j]:
                point[j], moved = best, True
        if not moved or len(two_price) == 1:
            break
    network = solve({j: _split(sources[j], point[j]) for j in two_price})
    found = network.value()
    proven = len(two_price) == 1 or found >= upper
    gap = 0 if proven else max(0, upper // (workers + 1) - found // (workers + 1))
    return network, proven, gap


def _split(source: Source, transport: int) -> tuple[int, int, int]:
    """Capacities (all, transport, other) when ``source`` pays for ``transport`` transport
    workers and as many others as the rest of its budget allows."""
    other = (source.budget - transport * _transport_cost(source)) // source.cost
    return transport + other, transport, other


def _transport_cost(source: Source) -> int:
    return source.transport_cost or source.cost


def _best_split(
    j: int,
    point: dict[int, int],
    highest: int,
    source: Source,
    value: Callable[[dict[int, int]], int],
) -> int:
    """The number of transport workers source ``j`` pays for that maximises ``value`` with the
    other sources' splits fixed: the best of the concave searches along each residue of t modulo
    q (the smaller t of equal maxima)."""
    cost_t, cost_o = _transport_cost(source), source.cost
    q = cost_o // math.gcd(cost_t, cost_o)
    guess = point[j]
    candidates = []  # (value, -t)
    for r in range(min(q, highest + 1)):

        def along(k: int, r: int = r) -> int:
            return value({**point, j: r + q * k})

        k = _maximiser(along, (highest - r) // q, (guess - r) // q)
        candidates.append((along(k), -(r + q * k)))
        guess = -max(candidates)[1]  # the residues' maxima lie close together
    return -max(candidates)[1]


def _maximiser(f: Callable[[int], int], hi: int, guess: int) -> int:
    """A maximiser of a concave ``f`` on 0..``hi``: ``guess`` when it is a local maximum, else
    the smallest one, searched outwards from ``guess`` (galloping, then bisection) so a good
    guess costs a few evaluations. By concavity ``drops(k)`` (``f`` does not rise after ``k``)
    is false, then true."""

    def drops(k: int) -> bool:
        return k >= hi or f(k + 1) <= f(k)

    k = min(max(guess, 0), hi)
    if drops(k) and (k == 0 or f(k - 1) <= f(k)):
        return k  # a local maximum of a concave function is a global one
    if drops(k):
        high, step, low = k, 1, k - 1
        while low >= 0 and drops(low):
            high, step = low, step * 2
            low = high - step
        low = max(low, -1)
    else:
        low, step, high = k, 1, k + 1
        while not drops(high):
            low, step = high, step * 2
            high = min(low + step, hi)
    while high - low > 1:  # drops(low) is false (or low is -1), drops(high) is true
        middle = (low + high) // 2
        if drops(middle):
            high = middle
        else:
            low = middle
    return high


def _desa_key(quota: Quota) -> tuple[str, str]:
    return quota.kecamatan, quota.desa or ""


def _validate(workers: pl.DataFrame, sources: Sequence[Source], quotas: Sequence[Quota]) -> None:
    missing = {"worker_id", "priority", "kecamatan", "eligible"} - set(workers.columns)
    if missing:
        raise ValueError(f"workers lack columns: {sorted(missing)}")
    for column in ("worker_id", "priority", "kecamatan"):
        if workers[column].null_count():
            raise ValueError(f"workers.{column} has nulls")
    if workers.height and workers["priority"].min() < 0:  # type: ignore[operator]
        raise ValueError("priorities must be >= 0")
    if workers["worker_id"].n_unique() != workers.height:
        raise ValueError("worker_id must be unique")
    codes = [s.code for s in sources]
    if len(set(codes)) != len(codes):
        raise ValueError("source codes must be unique")
    if len(codes) > _MAX_SOURCES:
        raise ValueError(f"at most {_MAX_SOURCES} sources")
    for s in sources:
        if s.cost <= 0 or s.budget < 0 or (s.transport_cost is not None and s.transport_cost <= 0):
            raise ValueError(f"source {s.code}: costs must be > 0 and budget >= 0")
    names = [q.kecamatan for q in quotas if q.desa is None]
    if len(set(names)) != len(names):
        raise ValueError("one quota per kecamatan")
    desa_of = {q.desa: q.kecamatan for q in quotas if q.desa is not None}
    if len(desa_of) != len(quotas) - len(names):
        raise ValueError("one quota per desa")
    for q in quotas:
        if q.minimum < 0 or (q.maximum is not None and q.maximum < 0):
            raise ValueError(f"quota for {q.desa or q.kecamatan} must not be negative")
    if not desa_of:
        return
    if "desa" not in workers.columns:
        raise ValueError("workers lack the desa column that the desa quotas need")
    misplaced = workers.filter(
        pl.col("desa").cast(pl.String).is_in(list(desa_of))
        & (
            pl.col("kecamatan").cast(pl.String)
            != pl.col("desa")
            .cast(pl.String)
            .replace_strict(desa_of, default=None, return_dtype=pl.String)
        )
    )
    if misplaced.height:
        desa = misplaced["desa"][0]
        raise ValueError(f"workers of desa {desa} lie outside kecamatan {desa_of[desa]}")


def _group_workers(
    workers: pl.DataFrame, codes: list[str], desa: list[str], *, by_sector: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sort the workers into groups of (kecamatan, quota'd desa, eligible set, transport),
    best first.

    ``desa`` lists the desa with a quota; a worker's ``_desa`` is its index there, -1 for the
    others; ``_transport`` is false for everyone unless ``by_sector``. Returns the sorted frame
    (worker_id, priority, kecamatan, _group, _pos) and one row per group (_group, kecamatan,
    _desa, _mask, _transport, _size, _offset) where ``_offset`` is the group's first row.
    """
    bits = [1 << i for i in range(len(codes))]
    mask = (
        pl.col("eligible")
        .fill_null([])
        .list.eval(pl.element().replace_strict(codes, bits, default=0, return_dtype=pl.Int64))
        .list.unique()
        .list.sum()
        .fill_null(0)
        .cast(pl.Int64)
    )
    keyed = workers.select(
        pl.col("worker_id").cast(pl.Int64),
        pl.col("priority").cast(pl.Int64),
        pl.col("kecamatan").cast(pl.String),
        mask.alias("_mask"),
        (
            pl.col("desa")
            .cast(pl.String)
            .replace_strict(desa, range(len(desa)), default=-1, return_dtype=pl.Int64)
            if desa
            else pl.lit(-1, dtype=pl.Int64)
        ).alias("_desa"),
        *(
            [pl.col("transport").cast(pl.Boolean).fill_null(value=False).alias("_transport")]
            if by_sector
            else []
        ),
    )
    key = ["kecamatan", "_desa", "_mask", *(["_transport"] if by_sector else [])]
    groups = (
        keyed.group_by(*key)
        .agg(pl.len().cast(pl.Int64).alias("_size"))
        .sort(*key)
        .with_row_index("_group")
        .with_columns(
            pl.col("_group").cast(pl.Int64),
            (pl.col("_size").cum_sum() - pl.col("_size")).alias("_offset"),
        )
    )
    if not by_sector:
        groups = groups.with_columns(pl.lit(value=False, dtype=pl.Boolean).alias("_transport"))
    frame = (
        keyed.join(groups.select(*key, "_group"), on=key)
        .sort(["_group", "priority", "worker_id"], descending=[False, True, False])
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).over("_group").alias("_pos"))
    )
    return frame, groups


def _check_counts(
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


def _raise_unreachable(
    network: _Network, kecamatans: list[str], quota_of: dict[str, Quota], desa_quotas: list[Quota]
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


class _Network:
    """The group graph and the convex-cost capacity-scaling solver (see the module docstring)."""

    def __init__(
        self,
        *,
        capacities: list[int],
        splits: dict[int, tuple[int, int, int]],
        kecamatans: list[str],
        quotas: dict[str, Quota],
        desa_quotas: list[Quota],
        group_kecamatan: list[str],
        group_desa: list[int],
        group_mask: list[int],
        group_transport: list[bool],
        group_size: list[int],
        group_offset: list[int],
        prefix: list[int],
        workers: int,
    ) -> None:
        n_sources, n_kecamatan, n_desa = len(capacities), len(kecamatans), len(desa_quotas)
        self.n_kecamatan = n_kecamatan
        self.n_desa = n_desa
        self.prefix = prefix
        self.weight_factor = workers + 1
        self.tail: list[int] = []
        self.head: list[int] = []
        self.cap: list[int] = []
        self.cost: list[int] = []  # per unit, scaled, for linear arcs
        self.convex: list[int] = []  # group offset for convex arcs, -1 for linear ones
        self.flow: list[int] = []
        source_node = [2 + j for j in range(n_sources)]
        kecamatan_node = {k: 2 + n_sources + i for i, k in enumerate(kecamatans)}
        desa_node = [2 + n_sources + n_kecamatan + i for i in range(n_desa)]
        first_group = 2 + n_sources + n_kecamatan + n_desa
        # a two-price source j pays through a transport and an other node below its own
        split_node = {
            j: (first_group + len(group_size) + 2 * i, first_group + len(group_size) + 2 * i + 1)
            for i, j in enumerate(sorted(splits))
        }
        self.splits = splits
        self.n_nodes = first_group + len(group_size) + 2 * len(splits)
        self.excess = [0] * self.n_nodes

        eligible_total = sum(size for size, m in zip(group_size, group_mask, strict=True) if m)
        needed = sum(q.minimum for q in [*quotas.values(), *desa_quotas])
        finite = [min(c, eligible_total) for c in capacities]
        split_caps = [min(c, eligible_total) for _hub, *caps in splits.values() for c in caps]
        largest = max([1, needed, *finite, *split_caps, *group_size])
        self.delta0 = 1 << (largest.bit_length() - 1)
        scale = self.delta0
        self.scale = scale
        total_weight = self.weight_factor * prefix[-1] + workers
        self.artificial = total_weight + 1
        artificial = self.artificial * scale

        self.source_arcs = [self._arc(0, source_node[j], finite[j], 0) for j in range(n_sources)]
        self.transport_arcs: dict[int, int] = {}
        for j, (_hub, transport, other) in splits.items():
            self.transport_arcs[j] = self._arc(
                source_node[j], split_node[j][0], min(transport, eligible_total), 0
            )
            self._arc(source_node[j], split_node[j][1], min(other, eligible_total), 0)
        self.paid_arcs: list[list[tuple[int, int]]] = []  # per group: (source index, arc)
        self.group_arcs: list[int] = []
        self.group_kecamatan_index: list[int] = []
        self.group_desa = group_desa
        for g, (k, d, m, transported, size, offset) in enumerate(
            zip(
                group_kecamatan,
                group_desa,
                group_mask,
                group_transport,
                group_size,
                group_offset,
                strict=True,
            )
        ):
            node = first_group + g
            paid = [
                (
                    j,
                    self._arc(
                        split_node[j][0 if transported else 1] if j in splits else source_node[j],
                        node,
                        _INFINITE,
                        0,
                    ),
                )
                for j in range(n_sources)
                if m >> j & 1
            ]
            self.paid_arcs.append(paid)
            cap = size if m else 0
            into = desa_node[d] if d >= 0 else kecamatan_node[k]
            self.group_arcs.append(self._arc(node, into, cap, 0, offset))
            self.group_kecamatan_index.append(kecamatan_node[k] - kecamatan_node[kecamatans[0]])
        for i, q in enumerate(desa_quotas):
            upper = _INFINITE if q.maximum is None else q.maximum - q.minimum
            self._arc(desa_node[i], kecamatan_node[q.kecamatan], upper, 0)
            self.excess[desa_node[i]] -= q.minimum
            self.excess[kecamatan_node[q.kecamatan]] += q.minimum
        for k in kecamatans:
            q = quotas.get(k, Quota(k))
            upper = _INFINITE if q.maximum is None else q.maximum - q.minimum
            self._arc(kecamatan_node[k], 1, upper, 0)
            self.excess[kecamatan_node[k]] -= q.minimum
            self.excess[1] += q.minimum
        self._arc(1, 0, _INFINITE, 0)
        self.artificial_arcs = [
            self._arc(a, b, _INFINITE, artificial)
            for v in range(1, self.n_nodes)
            for a, b in ((0, v), (v, 0))
        ]
        self.adjacent: list[list[tuple[int, bool]]] = [[] for _ in range(self.n_nodes)]
        for a, (t, h) in enumerate(zip(self.tail, self.head, strict=True)):
            self.adjacent[t].append((a, True))
            self.adjacent[h].append((a, False))
        self.potential = [0] * self.n_nodes

    def _arc(self, tail: int, head: int, cap: int, cost: int, convex: int = -1) -> int:
        self.tail.append(tail)
        self.head.append(head)
        self.cap.append(cap)
        self.cost.append(cost)
        self.convex.append(convex)
        self.flow.append(0)
        return len(self.tail) - 1

    def _step_cost(self, a: int, x: int, step: int) -> int:
        """Scaled cost of changing arc ``a``'s flow from ``x`` to ``x + step``."""
        offset = self.convex[a]
        if offset < 0:
            return self.cost[a] * step
        prefix = self.prefix
        gain = self.weight_factor * (prefix[offset + x + step] - prefix[offset + x]) + step
        return -self.scale * gain

    def _residual(self, a: int, forward: bool, delta: int) -> int | None:
        """Reduced cost of moving ``delta`` units over arc ``a``, or None if it has no room."""
        x = self.flow[a]
        pot = self.potential
        if forward:
            cap = self.cap[a]
            if cap != _INFINITE and x + delta > cap:
                return None
            return self._step_cost(a, x, delta) - delta * (pot[self.tail[a]] - pot[self.head[a]])
        if x < delta:
            return None
        return self._step_cost(a, x, -delta) - delta * (pot[self.head[a]] - pot[self.tail[a]])

    def _push(self, a: int, forward: bool, delta: int) -> None:
        t, h = (self.tail[a], self.head[a]) if forward else (self.head[a], self.tail[a])
        self.flow[a] += delta if forward else -delta
        self.excess[t] -= delta
        self.excess[h] += delta

    def solve(self) -> None:
        delta = self.delta0
        while delta >= 1:
            self._saturate(delta)
            self._reduce_imbalances(delta)
            delta //= 2

    def _saturate(self, delta: int) -> None:
        for a in range(len(self.tail)):
            for _ in range(3):  # convexity allows one step; a loop would mean a bug
                if (r := self._residual(a, True, delta)) is not None and r < 0:
                    self._push(a, True, delta)
                elif (r := self._residual(a, False, delta)) is not None and r < 0:
                    self._push(a, False, delta)
                else:
                    break
            else:  # pragma: no cover
                raise RuntimeError("capacity scaling lost delta-optimality")

    def _reduce_imbalances(self, delta: int) -> None:
        excess = self.excess
        while True:
            start = next((v for v in range(self.n_nodes) if excess[v] >= delta), None)
            if start is None or not any(e <= -delta for e in excess):
                return
            distance, arriving = self._dijkstra(start, delta)
            end = min(
                (v for v in range(self.n_nodes) if excess[v] <= -delta),
                key=lambda v: (distance[v], v),
            )
            for v in range(self.n_nodes):
                self.potential[v] -= distance[v] // delta
            v = end
            while v != start:
                a, forward = arriving[v]
                self._push(a, forward, delta)
                v = self.tail[a] if forward else self.head[a]

    def _dijkstra(self, start: int, delta: int) -> tuple[list[int], list[tuple[int, bool]]]:
        """Shortest reduced-cost paths of Delta-steps from ``start`` (``_residual`` inlined)."""
        unreached = -1
        distance = [unreached] * self.n_nodes
        arriving: list[tuple[int, bool]] = [(-1, True)] * self.n_nodes
        done = [False] * self.n_nodes
        distance[start] = 0
        heap = [(0, start)]
        tail, head, flow, cap, cost, convex = (
            self.tail,
            self.head,
            self.flow,
            self.cap,
            self.cost,
            self.convex,
        )
        pot, prefix, factor, scale = self.potential, self.prefix, self.weight_factor, self.scale
        while heap:
            d, u = heapq.heappop(heap)
            if done[u]:
                continue
            done[u] = True
            for a, forward in self.adjacent[u]:
                x = flow[a]
                if forward:
                    w = head[a]
                    if done[w] or (cap[a] != _INFINITE and x + delta > cap[a]):
                        continue
                    step = delta
                else:
                    w = tail[a]
                    if done[w] or x < delta:
                        continue
                    step = -delta
                offset = convex[a]
                if offset < 0:
                    r = cost[a] * step
                else:
                    gain = factor * (prefix[offset + x + step] - prefix[offset + x]) + step
                    r = -scale * gain
                nd = d + r - delta * (pot[u] - pot[w])
                if distance[w] == unreached or nd < distance[w]:
                    distance[w] = nd
                    arriving[w] = (a, forward)
                    heapq.heappush(heap, (nd, w))
        return distance, arriving

    def artificial_flow(self) -> int:
        return sum(self.flow[a] for a in self.artificial_arcs)

    def transport_flow(self, j: int) -> int:
        """Transport workers two-price source ``j`` pays for."""
        return self.flow[self.transport_arcs[j]]

    def other_flow(self, j: int) -> int:
        """Workers of the other sectors two-price source ``j`` pays for."""
        return self.flow[self.transport_arcs[j] + 1]

    def value(self) -> int:
        """Minus the flow's cost, unscaled: the total weight of the covered workers, less the
        artificial arcs' cost (so comparable between networks of other capacities)."""
        gain = sum(
            self.weight_factor * (self.prefix[self.convex[a] + x] - self.prefix[self.convex[a]]) + x
            for a in self.group_arcs
            if (x := self.flow[a])
        )
        return gain - self.artificial * self.artificial_flow()

    def real_coverage(self) -> tuple[list[int], list[int]]:
        """Workers per kecamatan and per quota'd desa (by index) the sources actually pay for."""
        reached = [0] * self.n_kecamatan
        reached_desa = [0] * self.n_desa
        for g, arc in enumerate(self.group_arcs):
            paid = min(self.flow[arc], sum(self.flow[a] for _, a in self.paid_arcs[g]))
            reached[self.group_kecamatan_index[g]] += paid
            if self.group_desa[g] >= 0:
                reached_desa[self.group_desa[g]] += paid
        return reached, reached_desa

    def group_flows(self) -> tuple[list[int], list[list[tuple[int, int]]]]:
        """Per group: workers covered, and (source index, workers paid) pairs."""
        covered = [self.flow[a] for a in self.group_arcs]
        paid = [[(j, self.flow[a]) for j, a in arcs] for arcs in self.paid_arcs]
        return covered, paid


def _build_solution(
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
        (n - t) * s.cost + t * _transport_cost(s)
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
    coverage = {k: 0 for k in kecamatans}
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
