"""Seeded random draws: every draw depends on the seed and its purpose only."""

import hashlib
import random
from collections.abc import Sequence

import polars as pl

_GOLDEN = 0x9E3779B97F4A7C15
# The seed of a file's draws: the user's number, or for one kabupaten of a province file that
# number and the kabupaten's code ("1:52.03"), so that each kabupaten draws its own people.
Seed = int | str


def splitmix64(state: pl.Expr) -> pl.Expr:
    """SplitMix64's output function over UInt64 (Polars wraps on overflow, as the algorithm
    needs): a well-mixed 64-bit value for each counter value."""
    z = (state ^ (state // 2**30)) * pl.lit(0xBF58476D1CE4E5B9, dtype=pl.UInt64)
    z = (z ^ (z // 2**27)) * pl.lit(0x94D049BB133111EB, dtype=pl.UInt64)
    return z ^ (z // 2**31)


class SeededRandom:
    """Uniform draws in [0, 1), seeded by the seed and a purpose: a change to one purpose's
    draws leaves the others' values alone.

    Columns come from SplitMix64 over a counter, computed by Polars (a million draws in a few
    milliseconds, where a million `random.random()` calls take a tenth of a second); the few
    draws of Python loops come from `random.Random` seeded the same way.
    """

    def __init__(self, seed: Seed, purpose: str) -> None:
        text = f"lindung.synth:{seed}:{purpose}"
        self._rng = random.Random(text)  # noqa: S311 - test data, not secrets
        self._key = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        self._drawn = 0

    def uniform(self, n: int) -> pl.Series:
        counter = pl.int_range(self._drawn, self._drawn + n, dtype=pl.UInt64)
        self._drawn += n
        state = counter * pl.lit(_GOLDEN, dtype=pl.UInt64) + pl.lit(self._key, dtype=pl.UInt64)
        # The top 53 bits as the fraction, as random.random() does.
        fraction = (splitmix64(state) // 2**11).cast(pl.Float64) / 2.0**53
        return pl.select(fraction.alias("u")).to_series()

    def skip(self, n: int) -> None:
        """Pass over n draws: what `uniform(n)` would have drawn, without drawing it."""
        self._drawn += n

    def below(self, n: int, size: int) -> pl.Series:
        """n integers in [0, size)."""
        return (self.uniform(n) * size).floor().cast(pl.Int64).clip(0, size - 1)

    def choose(self, n: int, weights: Sequence[float]) -> pl.Series:
        """n indices into `weights`, drawn in proportion to them."""
        return choose(self.uniform(n), weights)

    def pick(self, options: Sequence[str]) -> str:
        return options[int(self._rng.random() * len(options))]

    def random(self) -> float:
        return self._rng.random()


def choose(u: pl.Series, weights: Sequence[float]) -> pl.Series:
    total = float(sum(weights))
    bounds, running = [], 0.0
    for weight in weights:
        running += weight
        bounds.append(running / total)
    bounds[-1] = 1.0
    index = pl.Series(bounds).search_sorted(u, side="right")
    return index.cast(pl.Int64).clip(0, len(weights) - 1)


def choose_by_group(u: pl.Series, group: pl.Series, table: list[list[float]]) -> pl.Series:
    """Per row, an index into `table[group]`, drawn in proportion to those weights: group g's
    cumulative weights are laid out in [g, g + 1], so one search serves every group."""
    width = len(table[0])
    bounds: list[float] = []
    for g, weights in enumerate(table):
        total, running = float(sum(weights)), 0.0
        for weight in weights:
            running += weight
            bounds.append(g + running / total)
        bounds[-1] = g + 1.0
    index = pl.Series(bounds).search_sorted(group.cast(pl.Float64) + u, side="right")
    return (index.cast(pl.Int64) - group * width).clip(0, width - 1)
