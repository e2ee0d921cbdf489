"""Contribution (iuran) and benefit (manfaat) calculators: pure functions over a RuleSet.

Every amount is whole rupiah. Pass `rules=` to calculate under a given version; without it each
contribution month is priced under the version in force on its first day (a payment for several
months can straddle a change such as PP 50/2025), and benefits under the version in force today.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.formats import month_name
from lindung.rules.national import (
    FUNDING,
    PROGRAMS,
    SCHOOL_LEVELS,
    Month,
    RulesError,
    RuleSet,
    Version,
    history,
    rules_for,
)

BenefitKind = Literal["jkm", "jkk-death", "jkk-disability", "stmb"]
BENEFIT_KINDS: tuple[BenefitKind, ...] = ("jkm", "jkk-death", "jkk-disability", "stmb")
SECTORS = ("transport",)


@dataclass(frozen=True)
class MonthContribution:
    """One month of a payment, under the rules in force that month."""

    month: Month
    jkk: int
    jkm: int
    jht: int
    reduction: int
    total: int
    version: str

    @property
    def label(self) -> str:
        """ "Desember 2025" in the active language."""
        return f"{month_name(self.month[1])} {self.month[0]}"


@dataclass(frozen=True)
class Contribution:
    """`jkk`, `jkm`, `jht`, `reduction` and `total_per_month` describe the first month;
    `total` sums every month of the payment, each priced under the rules in force that month
    (`per_month`), so the PP 50/2025 reduction covers only the months inside its window."""

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
    per_month: tuple[MonthContribution, ...] = ()

    def as_json(self) -> dict[str, int]:
        """The `lindung calc iuran --json` and API object: a public contract, keys fixed."""
        keys = ("jkk", "jkm", "jht", "reduction", "total_per_month", "months", "total")
        return {key: getattr(self, key) for key in keys}


@dataclass(frozen=True)
class Benefit:
    kind: str
    total: int
    breakdown: list[tuple[str, int]] = field(default_factory=list)
    partial: bool = False  # jkk-disability of body parts (not total permanent)

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
    versions: list[Version] | None = None,
) -> Contribution:
    """The contribution for a payment of `months` months starting in `month`'s month.
    `versions` (from `national.history()`) saves reading them again when pricing many months.

    JKK is a rate of the reported income (PP 44/2015 Pasal 19 and Lampiran II, as amended by
    PP 82/2019 and PP 49/2023), JKM a flat amount (same), JHT 2% (PP 46/2015; Permenaker 5/2021);
    payment for 1, 3, 6 or 12 months at once (Permenaker 5/2021). Each month is priced under the
    rules in force on its first day (or all under `rules`, when given), with the PP 50/2025
    reduction of that month (see `_reduction`).
    """
    chosen = _programs(programs)
    if funding not in FUNDING:
        raise RulesError(
            _("Unknown funding source %(name)s: choose from %(allowed)s.")
            % {"name": funding, "allowed": ", ".join(FUNDING)}
        )
    if sector not in (None, "", *SECTORS):
        raise RulesError(_("Unknown sector %(name)s.") % {"name": sector})
    start: Month = (month.year, month.month)
    versions = None if rules else (versions or history())  # one read for every month
    first = rules or rules_for(datetime.date(*start, 1), versions)
    if months not in first.payment_periods:
        raise RulesError(
            _("Contributions are paid for %(allowed)s months at a time, not %(months)s.")
            % {"allowed": ", ".join(map(str, first.payment_periods)), "months": months}
        )
    amount = _income(income)
    per_month = []
    for i in range(months):
        this = _month_after(start, i)
        in_force = rules or (first if i == 0 else rules_for(datetime.date(*this, 1), versions))
        level = in_force.income_levels.level_for(amount)
        jkk = in_force.jkk.of(level)
        jkm = in_force.jkm.amount
        jht = in_force.jht.of(level) if "JHT" in chosen else 0
        cut = _reduction(in_force, jkk + jkm, month=this, funding=funding, sector=sector)
        per_month.append(
            MonthContribution(this, jkk, jkm, jht, cut, jkk + jkm + jht - cut, in_force.version)
        )
    head = per_month[0]
    return Contribution(
        income=first.income_levels.level_for(amount),
        jkk=head.jkk,
        jkm=head.jkm,
        jht=head.jht,
        reduction=head.reduction,
        total_per_month=head.total,
        months=months,
        total=sum(m.total for m in per_month),
        reduced_months=sum(1 for m in per_month if m.reduction),
        version=first.version,
        per_month=tuple(per_month),
    )


def _reduction(rules: RuleSet, base: int, *, month: Month, funding: str, sector: str | None) -> int:
    """The PP 50/2025 reduction of JKK + JKM (`base`) in one month, rounded down: 50% for BPU
    in the transport sector in contribution months January 2026 to March 2027 and for the other
    sectors April to December 2026, except when JKK/JKM is paid from APBN/APBD (the months,
    percent and funding sources are data: national.toml `reduction`)."""
    cut = rules.reduction
    if cut is None or not cut.applies(month=month, funding=funding, sector=sector or None):
        return 0
    return base * cut.percent // 100


def scholarship(
    rules: RuleSet, children: Sequence[str], *, contribution_years: int | None, kind: str
) -> list[tuple[str, int]]:
    """Scholarship lines per child (at most two), from the child's current level to S1, capped
    in total (PP 82/2019, amending Pasal 25 and 34 of PP 44/2015). JKM pays it only after the
    minimum contribution years; JKK (death or total permanent disability) always does."""
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
    parts: Sequence[str] = (),
    rules: RuleSet | None = None,
) -> Benefit:
    """What BPJS TK pays for `kind`, under PP 44/2015 as amended by PP 82/2019 (JKK benefits in
    Pasal 25 and Lampiran III, JKM benefits in Pasal 34; the scholarship of both added by
    PP 82/2019):

    - jkm: santunan kematian, santunan berkala paid at once and funeral costs, plus the
      scholarship after the minimum contribution years;
    - jkk-death: 48 x reported income (60% x 80), at least the JKM benefit, funeral costs and
      santunan berkala, plus the scholarship;
    - jkk-disability: without `parts`, total permanent disability, 56 x reported income
      (70% x 80), plus the scholarship; with `parts` (codes of the annex's table,
      `RuleSet.partial_disability`), partial anatomical disability: the parts' percentages added
      up, at most the table's cap, x 80 x reported income, without scholarship;
    - stmb: temporary incapacity, 100% of reported income for 12 months, then 50%.
    """
    if kind not in BENEFIT_KINDS:
        raise RulesError(
            _("Unknown benefit %(kind)s: choose from %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(BENEFIT_KINDS)}
        )
    if parts and kind != "jkk-disability":
        raise RulesError(_("Body parts apply only to the jkk-disability benefit."))
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
    elif kind == "jkk-disability" and parts:
        if children:
            raise RulesError(
                _(
                    "The scholarship is paid on death or total permanent disability, not on a "
                    "partial disability: leave out the children or the body parts."
                )
            )
        lines = _partial_disability(rules, level, parts)
    elif kind == "jkk-disability":
        lines = [
            (
                _("Total permanent disability: %(times)s x reported income")
                % {"times": jkk.disability_total_multiplier},
                jkk.disability_total_multiplier * level,
            )
        ]
        lines += scholarship(rules, children, contribution_years=contribution_years, kind=kind)
    else:
        lines = _stmb(rules, level, months)
    return Benefit(kind, sum(a for _l, a in lines), lines, partial=bool(parts))


def _partial_disability(rules: RuleSet, level: int, parts: Sequence[str]) -> list[tuple[str, int]]:
    """One line per part lost (table% x 80 x income); when the percentages add up to more than
    the table's cap, a last line takes the excess off (PP 82/2019 Lampiran III)."""
    table = rules.partial_disability
    if table is None:
        raise RulesError(_("These rules have no table of partial disability."))
    found = []
    for code in parts:
        part = table.part(code.strip().lower())
        if part is None:
            raise RulesError(
                _("Unknown body part %(code)s: choose from %(allowed)s.")
                % {"code": code, "allowed": ", ".join(p.code for p in table.parts)}
            )
        found.append(part)
    lines = [
        (
            _("%(part)s: %(percent)s%% x %(months)s x reported income")
            % {"part": part.label, "percent": part.percent, "months": table.months},
            part.percent * table.months * level // 100,
        )
        for part in found
    ]
    percent = sum(p.percent for p in found)
    if percent > table.max_percent:
        capped = table.max_percent * table.months * level // 100
        lines.append(
            (
                _("Capped at %(percent)s%% in total") % {"percent": table.max_percent},
                capped - sum(a for _l, a in lines),
            )
        )
    return lines


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
