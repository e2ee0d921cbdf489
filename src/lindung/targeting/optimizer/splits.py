"""Two prices per source: the search for the split of each such source's budget between
transport and other workers (see "Two prices per source" in the package docstring)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from lindung.targeting.optimizer.network import Network
from lindung.targeting.optimizer.problem import Source

_MAX_ROUNDS = 20  # of the coordinate search over several two-price sources


def search_splits(
    solve: Callable[[dict[int, tuple[int, int, int]]], Network],
    sources: Sequence[Source],
    two_price: list[int],
    transport_eligible: list[int],
    workers: int,
) -> tuple[Network, bool, int]:
    """The split of each two-price source's budget between transport and other workers.

    Returns the network solved at the best split found, whether it is proven optimal, and
    the gap (an upper bound on the total priority minus the one found). See "Two prices per
    source" in the module docstring.
    """
    relaxed = solve(
        {
            j: (
                sources[j].most,
                sources[j].budget // transport_price(sources[j]),
                sources[j].capacity,
            )
            for j in two_price
        }
    )
    upper = relaxed.value()
    if all(
        relaxed.transport_flow(j) * transport_price(sources[j])
        + relaxed.other_flow(j) * sources[j].cost
        <= sources[j].budget
        for j in two_price
    ):  # the relaxation's answer keeps every budget: it is optimal
        point = {j: relaxed.transport_flow(j) for j in two_price}
        return solve({j: split(sources[j], point[j]) for j in two_price}), True, 0
    values: dict[tuple[int, ...], int] = {}

    def value(point: dict[int, int]) -> int:
        key = tuple(point[j] for j in two_price)
        if key not in values:
            values[key] = solve({j: split(sources[j], point[j]) for j in two_price}).value()
        return values[key]

    highest = {
        j: min(sources[j].budget // transport_price(sources[j]), transport_eligible[j])
        for j in two_price
    }
    point = {j: min(relaxed.transport_flow(j), highest[j]) for j in two_price}
    for _round in range(_MAX_ROUNDS):
        moved = False
        for j in two_price:
            best = best_split(j, point, highest[j], sources[j], value)
            if best != point[j]:
                point[j], moved = best, True
        if not moved or len(two_price) == 1:
            break
    network = solve({j: split(sources[j], point[j]) for j in two_price})
    found = network.value()
    proven = len(two_price) == 1 or found >= upper
    gap = 0 if proven else max(0, upper // (workers + 1) - found // (workers + 1))
    return network, proven, gap


def split(source: Source, transport: int) -> tuple[int, int, int]:
    """Capacities (all, transport, other) when ``source`` pays for ``transport`` transport
    workers and as many others as the rest of its budget allows."""
    other = (source.budget - transport * transport_price(source)) // source.cost
    return transport + other, transport, other


def transport_price(source: Source) -> int:
    return source.transport_cost or source.cost


def best_split(
    j: int,
    point: dict[int, int],
    highest: int,
    source: Source,
    value: Callable[[dict[int, int]], int],
) -> int:
    """The number of transport workers source ``j`` pays for that maximises ``value`` with the
    other sources' splits fixed: the best of the concave searches along each residue of t modulo
    q (the smaller t of equal maxima)."""
    cost_t, cost_o = transport_price(source), source.cost
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
