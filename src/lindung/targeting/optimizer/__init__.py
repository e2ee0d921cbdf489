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

Modules
-------
``problem`` (``Source``, ``Quota``), ``groups`` (input checks, groups of interchangeable
workers), ``network`` (the flow network and its solver), ``splits`` (the two-price search),
``feasibility`` (``Infeasible`` and why), ``solution`` (``Solution``, its explanations).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lindung.targeting.optimizer.feasibility import Infeasible, check_counts, raise_unreachable
from lindung.targeting.optimizer.groups import desa_key, group_workers, validate
from lindung.targeting.optimizer.network import Network
from lindung.targeting.optimizer.problem import Quota, Source
from lindung.targeting.optimizer.solution import Solution, build_solution
from lindung.targeting.optimizer.splits import search_splits

__all__ = ["Infeasible", "Quota", "Solution", "Source", "optimize"]


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
    validate(workers, sources, quotas)
    codes = [s.code for s in sources]
    by_sector = "transport" in workers.columns and any(s.two_prices for s in sources)
    two_price = [j for j, s in enumerate(sources) if s.two_prices] if by_sector else []
    desa_quotas = sorted((q for q in quotas if q.desa is not None), key=desa_key)
    frame, groups = group_workers(
        workers, codes, [q.desa or "" for q in desa_quotas], by_sector=by_sector
    )
    kecamatans = sorted(set(groups["kecamatan"].to_list()) | {q.kecamatan for q in quotas})
    quota_of = {q.kecamatan: q for q in quotas if q.desa is None}
    check_counts(groups, sources, kecamatans, quota_of, desa_quotas)

    group_transport = groups["_transport"].to_list()
    group_mask = groups["_mask"].to_list()
    group_size = groups["_size"].to_list()
    prefix = [0, *frame["priority"].cum_sum().to_list()]

    def solve(splits: dict[int, tuple[int, int, int]]) -> Network:
        network = Network(
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
        network, optimal, gap = search_splits(
            solve, sources, two_price, transport_eligible, frame.height
        )
    else:
        network, optimal, gap = solve({}), True, 0
    if network.artificial_flow() > 0:
        raise_unreachable(network, kecamatans, quota_of, desa_quotas)

    covered, paid = network.group_flows()
    return build_solution(
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
