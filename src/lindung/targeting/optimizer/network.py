"""The flow network over groups and the convex-cost capacity-scaling solver."""

from __future__ import annotations

import heapq

from lindung.targeting.optimizer.problem import Quota

_INFINITE = -1


class Network:
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
