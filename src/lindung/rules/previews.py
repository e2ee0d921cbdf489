"""The policy editor's live preview: what a draft policy does to the registry, beside the active
policy. Per funding source: the eligible workers, the budget and the workers the budget pays
for at the source's cost per worker; then the workers not eligible per failed criterion. Every
figure comes with the active policy's and the difference (draft minus active).
"""

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from lindung.formats import format_number, format_rupiah
from lindung.rules import eligibility
from lindung.rules.models import Nomination
from lindung.rules.policy import Policy, registry_kabupaten, source_cost


@dataclass(frozen=True)
class Change:
    """One figure of the draft beside the active policy's; None where a policy lacks it."""

    label: str
    key: str  # for data-testid
    active: int | None
    draft: int | None
    money: bool = False

    def _text(self, value: int | None) -> str:
        if value is None:
            return "\N{EN DASH}"
        return format_rupiah(value) if self.money else format_number(value)

    @property
    def active_text(self) -> str:
        return self._text(self.active)

    @property
    def draft_text(self) -> str:
        return self._text(self.draft)

    @property
    def difference(self) -> int:
        return (self.draft or 0) - (self.active or 0)

    @property
    def difference_text(self) -> str:
        """+1.234, minus sign and Rp2.000.000, or 0."""
        if not self.difference:
            return "0"
        sign = "+" if self.difference > 0 else "\N{MINUS SIGN}"
        return sign + self._text(abs(self.difference))

    @property
    def direction(self) -> str:
        """up / down / same: for the colour of the difference."""
        return "up" if self.difference > 0 else "down" if self.difference < 0 else "same"


@dataclass(frozen=True)
class SourceChanges:
    code: str
    label: str
    changes: list[Change]


def _figures(
    registry: pl.DataFrame, policy: Policy, year: int, nominated: set[int]
) -> dict[str, Any]:
    """Eligibility counts and, per source, its budget and the workers it pays for."""
    frame = eligibility.eligibility(
        registry, policy, year, nominated, self_paying=eligibility.self_paying_workers()
    )
    summary = eligibility.summary(frame, policy)
    sources = {}
    for source, eligible in summary["per_source"]:
        cost = source_cost(policy, source.code, year)
        sources[source.code] = {
            "label": source.label,
            "eligible": eligible,
            "budget": source.annual_budget,
            "places": source.annual_budget // cost if cost > 0 else None,
        }
    return {**summary, "sources": sources, "reasons": dict(summary["per_reason"])}


def compare(draft: Policy, active: Policy, year: int) -> dict[str, Any]:
    """The preview of `draft` for fiscal year `year`, each figure beside `active`'s."""
    nominated = set(Nomination.objects.filter(fiscal_year=year).values_list("worker_id", flat=True))
    registry = eligibility.registry_frame(registry_kabupaten(active))
    new = _figures(registry, draft, year, nominated)
    old = new if draft == active else _figures(registry, active, year, nominated)
    sources = []
    for code in dict.fromkeys([*new["sources"], *old["sources"]]):
        n, o = new["sources"].get(code, {}), old["sources"].get(code, {})
        sources.append(
            SourceChanges(
                code=code,
                label=n.get("label") or o["label"],
                changes=[
                    Change(_("Eligible"), "eligible", o.get("eligible"), n.get("eligible")),
                    Change(_("Budget"), "budget", o.get("budget"), n.get("budget"), money=True),
                    Change(
                        _("Workers the budget pays for"), "places", o.get("places"), n.get("places")
                    ),
                ],
            )
        )
    totals = [
        Change(_("Eligible"), "eligible", old["eligible"], new["eligible"]),
        Change(
            _("Budget"),
            "budget",
            sum(s["budget"] for s in old["sources"].values()),
            sum(s["budget"] for s in new["sources"].values()),
            money=True,
        ),
        Change(
            _("Workers the budget pays for"),
            "places",
            sum(s["places"] or 0 for s in old["sources"].values()),
            sum(s["places"] or 0 for s in new["sources"].values()),
        ),
    ]
    reasons = [
        (code, Change(code, code, old["reasons"][code], new["reasons"][code]))
        for code in eligibility.REASONS
    ]
    return {
        "workers": new["workers"],
        "eligible": new["eligible"],
        "per_source": new["per_source"],
        "sources": sources,
        "totals": totals,
        "reasons": reasons,
        "same_as_active": draft == active,
    }
