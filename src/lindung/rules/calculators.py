"""Contribution (iuran) and benefit (manfaat) calculators: pure functions over a RuleSet.

Every amount is whole rupiah. Pass `rules=` to calculate under a given version; without it the
version in force on the first contribution month (or today, for benefits) is used.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.rules.national import (
    FUNDING,
    PROGRAMS,
    SCHOOL_LEVELS,
    Month,
    RulesError,
    RuleSet,
    rules_for,
)

BenefitKind = Literal["jkm", "jkk-death", "jkk-disability", "stmb"]
BENEFIT_KINDS: tuple[BenefitKind, ...] = ("jkm", "jkk-death", "jkk-disability", "stmb")
SECTORS = ("transport",)


@dataclass(frozen=True)
class Contribution:
    """`jkk`, `jkm`, `jht`, `reduction` and `total_per_month` describe the first month;
    `total` sums every month of the payment (the reduction may cover only some of them)."""

    income: int  # the reported income level the rates applied to
    jkk: int
    jkm: int
    jht: int
    reduction: int
    total_per_month: int
    months: int
    total: int
    reduced_months: int
    version: str

    def as_json(self) -> dict[str, int]:
        keys = ("jkk", "jkm", "jht", "reduction", "total_per_month", "months", "total")
        return {key: getattr(self, key) for key in keys}


@dataclass(frozen=True)
class Benefit:
    kind: str
    total: int
    breakdown: list[tuple[str, int]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "total": self.total,
            "breakdown": [{"label": label, "amount": amount} for label, amount in self.breakdown],
        }


def _month_after(month: Month, steps: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + steps
    return index // 12, index % 12 + 1


def _programs(programs: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(p.strip().upper() for p in programs if p.strip())
    unknown = chosen - set(PROGRAMS)
    if unknown:
        raise RulesError(
            _("Unknown program %(name)s: choose from JKK, JKM and JHT.")
            % {"name": ", ".join(sorted(unknown))}
        )
    if not {"JKK", "JKM"} <= chosen:
        raise RulesError(_("BPU membership always includes JKK and JKM; JHT is optional."))
    return chosen


def _income(income: int) -> int:
    if isinstance(income, bool) or not isinstance(income, int) or income < 0:
        raise RulesError(_("The income must be a whole number of rupiah, 0 or more."))
    return income


def contribution(
    income: int,
    *,
    programs: Iterable[str] = ("JKK", "JKM"),
    month: datetime.date,
    funding: str = "mandiri",
    sector: str | None = None,
    months: int = 1,
    rules: RuleSet | None = None,
) -> Contribution:
    """The contribution for a payment of `months` months starting in `month`'s month."""
    chosen = _programs(programs)
    if funding not in FUNDING:
        raise RulesError(
            _("Unknown funding source %(name)s: choose from %(allowed)s.")
            % {"name": funding, "allowed": ", ".join(FUNDING)}
        )
    if sector not in (None, "", *SECTORS):
        raise RulesError(_("Unknown sector %(name)s.") % {"name": sector})
    start: Month = (month.year, month.month)
    rules = rules or rules_for(datetime.date(*start, 1))
    if months not in rules.payment_periods:
        raise RulesError(
            _("Contributions are paid for %(allowed)s months at a time, not %(months)s.")
            % {"allowed": ", ".join(map(str, rules.payment_periods)), "months": months}
        )
    level = rules.income_levels.level_for(_income(income))
    jkk = rules.jkk.of(level)
    jkm = rules.jkm.amount
    jht = rules.jht.of(level) if "JHT" in chosen else 0
    reductions = [
        _reduction(rules, jkk + jkm, month=_month_after(start, i), funding=funding, sector=sector)
        for i in range(months)
    ]
    full = jkk + jkm + jht
    return Contribution(
        income=level,
        jkk=jkk,
        jkm=jkm,
        jht=jht,
        reduction=reductions[0],
        total_per_month=full - reductions[0],
        months=months,
        total=full * months - sum(reductions),
        reduced_months=sum(1 for r in reductions if r),
        version=rules.version,
    )


def _reduction(rules: RuleSet, base: int, *, month: Month, funding: str, sector: str | None) -> int:
    """The PP 50/2025 reduction of JKK + JKM (`base`) in one month, rounded down."""
    cut = rules.reduction
    if cut is None or not cut.applies(month=month, funding=funding, sector=sector or None):
        return 0
    return base * cut.percent // 100


def scholarship(
    rules: RuleSet, children: Sequence[str], *, contribution_years: int | None, kind: str
) -> list[tuple[str, int]]:
    """Scholarship lines per child, from the child's current level to S1, capped in total.
    JKM pays it only after the minimum contribution years; JKK always does."""
    terms = rules.scholarship
    for level in children:
        if level not in SCHOOL_LEVELS:
            raise RulesError(
                _("Unknown school level %(level)s: choose from %(allowed)s.")
                % {"level": level, "allowed": ", ".join(SCHOOL_LEVELS)}
            )
    if not children:
        return []
    if kind == "jkm" and (contribution_years or 0) < terms.min_contribution_years:
        return []
    lines = []
    remaining = terms.max_total
    for number, level in enumerate(children[: terms.max_children], start=1):
        start = SCHOOL_LEVELS.index(level)
        amount = sum(lv.per_year * lv.max_years for lv in terms.levels[start:])
        amount = min(amount, remaining)
        remaining -= amount
        lines.append(
            (
                _("Scholarship, child %(number)s (from %(level)s)")
                % {"number": number, "level": level},
                amount,
            )
        )
    return lines


def benefit(
    kind: str,
    *,
    income: int | None = None,
    months: int | None = None,
    contribution_years: int | None = None,
    children: Sequence[str] = (),
    rules: RuleSet | None = None,
) -> Benefit:
    """What BPJS TK pays for `kind`: jkm, jkk-death, jkk-disability (total permanent) or stmb."""
    if kind not in BENEFIT_KINDS:
        raise RulesError(
            _("Unknown benefit %(kind)s: choose from %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(BENEFIT_KINDS)}
        )
    rules = rules or rules_for(timezone.localdate())
    if contribution_years is not None and contribution_years < 0:
        raise RulesError(_("The contribution years must be 0 or more."))
    lines: list[tuple[str, int]]
    if kind == "jkm":
        jkm = rules.jkm_benefit
        lines = [
            (_("Death benefit (santunan kematian)"), jkm.death_lump_sum),
            (_("Periodic benefit paid at once (santunan berkala)"), jkm.periodic),
            (_("Funeral costs"), jkm.funeral),
        ]
        lines += scholarship(rules, children, contribution_years=contribution_years, kind=kind)
        return Benefit(kind, sum(a for _l, a in lines), lines)
    if income is None:
        raise RulesError(_("Enter the reported income for this benefit."))
    level = rules.income_levels.level_for(_income(income))
    jkk = rules.jkk_benefit
    if kind == "jkk-death":
        lines = [
            (
                _("Death benefit: %(times)s x reported income, at least the JKM benefit")
                % {"times": jkk.death_multiplier},
                max(jkk.death_multiplier * level, rules.jkm_benefit.total),
            ),
            (_("Funeral costs"), jkk.funeral),
            (_("Periodic benefit paid at once (santunan berkala)"), jkk.periodic),
        ]
        lines += scholarship(rules, children, contribution_years=contribution_years, kind=kind)
    elif kind == "jkk-disability":
        lines = [
            (
                _("Total permanent disability: %(times)s x reported income")
                % {"times": jkk.disability_total_multiplier},
                jkk.disability_total_multiplier * level,
            )
        ]
    else:
        lines = _stmb(rules, level, months)
    return Benefit(kind, sum(a for _l, a in lines), lines)


def _stmb(rules: RuleSet, level: int, months: int | None) -> list[tuple[str, int]]:
    if months is None or months < 1:
        raise RulesError(_("Enter the months off work (1 or more)."))
    terms = rules.stmb
    full = min(months, terms.full_months)
    lines = [
        (
            _("Months 1 to %(last)s at %(percent)s%% of reported income")
            % {"last": full, "percent": terms.full_percent},
            full * level * terms.full_percent // 100,
        )
    ]
    if months > terms.full_months:
        lines.append(
            (
                _("Months %(first)s to %(last)s at %(percent)s%% of reported income")
                % {"first": terms.full_months + 1, "last": months, "percent": terms.after_percent},
                (months - terms.full_months) * level * terms.after_percent // 100,
            )
        )
    return lines
