"""The problem's inputs: funding sources (one or two prices) and kecamatan or desa quotas."""

from __future__ import annotations

from dataclasses import dataclass


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
