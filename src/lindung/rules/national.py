"""National regulation as effective-dated data: the TOML file plus versions added by admins.

`parse_version(raw)` turns one version (a TOML table, or the JSON stored for an admin-added one)
into a frozen `RuleSet`, or raises `RulesError` naming the faulty key (the `_Version` schema
below, read by `data_files.read`). `rules_for(day)` picks the version in force on `day`: the
latest `effective_from` on or before it, over the file's versions and the database's together.
Money is whole rupiah; rates are basis points (100 = 1%).
"""

import datetime
import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pydantic import Field, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from lindung.rules.data_files import (
    Bool,
    Schema,
    Text,
    Whole,
    expected,
    json_ready,
    read,
    rule,
    whole,
)
from lindung.rules.data_files import RulesError as RulesError  # imported from here everywhere
from lindung.rules.data_files import text as _text

NATIONAL_FILE = Path(__file__).parent / "data" / "national.toml"

FUNDING = ("apbd", "apbd_provinsi", "dbhcht", "apbdes", "csr", "mandiri")
SELF_PAID = "mandiri"
PROGRAMS = ("JKK", "JKM", "JHT")
SCHOOL_LEVELS = ("TK", "SD", "SMP", "SMA", "S1")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")

Month = tuple[int, int]  # (year, month)


@dataclass(frozen=True)
class Rate:
    basis_points: int
    source: str

    def of(self, income: int) -> int:
        """The rate applied to `income`, rounded half up to whole rupiah."""
        return (income * self.basis_points + 5_000) // 10_000


@dataclass(frozen=True)
class Amount:
    amount: int
    source: str


@dataclass(frozen=True)
class IncomeLevels:
    amounts: tuple[int, ...]  # ascending
    verified: bool
    source: str

    def level_for(self, income: int) -> int:
        """The reported income the rates apply to.

        With a verified list of levels: the highest level not above `income`, at least the
        lowest. While the list is not verified (only its ends are known) the income itself,
        kept within the lowest and highest level: rounding everyone down to the lowest level
        would understate the contribution of anyone who reports more.
        """
        if not self.verified:
            return min(max(income, self.amounts[0]), self.amounts[-1])
        below = [a for a in self.amounts if a <= income]
        return below[-1] if below else self.amounts[0]


@dataclass(frozen=True)
class Reduction:
    percent: int
    months: tuple[Month, Month]
    transport_months: tuple[Month, Month]
    excluded_funding: frozenset[str]
    other_funding: frozenset[str]  # funding sources besides mandiri that also get it
    other_funding_verified: bool
    source: str

    def applies(self, *, month: Month, funding: str, sector: str | None) -> bool:
        if funding in self.excluded_funding:
            return False
        if funding != SELF_PAID and funding not in self.other_funding:
            return False
        start, end = self.transport_months if sector == "transport" else self.months
        return start <= month <= end


@dataclass(frozen=True)
class ScholarshipLevel:
    level: str
    per_year: int
    max_years: int


@dataclass(frozen=True)
class Scholarship:
    min_contribution_years: int
    max_children: int
    max_total: int
    levels: tuple[ScholarshipLevel, ...]
    source: str


@dataclass(frozen=True)
class JkmBenefit:
    death_lump_sum: int
    periodic: int
    funeral: int
    source: str

    @property
    def total(self) -> int:
        return self.death_lump_sum + self.periodic + self.funeral


@dataclass(frozen=True)
class JkkBenefit:
    death_multiplier: int
    disability_total_multiplier: int
    funeral: int
    periodic: int
    source: str


@dataclass(frozen=True)
class DisabilityPart:
    code: str
    label: str  # the annex's wording, Indonesian
    percent: int


@dataclass(frozen=True)
class PartialDisability:
    """Partial anatomical disability (PP 82/2019 Pasal 25 and its Lampiran): the percentages of
    the parts lost add up, at most `max_percent`; the benefit is that percent x `months` x the
    reported income."""

    months: int
    max_percent: int
    parts: tuple[DisabilityPart, ...]
    source: str

    def part(self, code: str) -> DisabilityPart | None:
        return next((p for p in self.parts if p.code == code), None)


@dataclass(frozen=True)
class Stmb:
    full_months: int
    full_percent: int
    after_percent: int
    source: str


@dataclass(frozen=True)
class RuleSet:
    version: str
    effective_from: datetime.date
    note: str
    jkk: Rate
    jkm: Amount
    jht: Rate
    income_levels: IncomeLevels
    payment_periods: tuple[int, ...]
    payment_source: str
    lapse_unpaid_months: int
    lapse_source: str
    reduction: Reduction | None
    jkm_benefit: JkmBenefit
    scholarship: Scholarship
    jkk_benefit: JkkBenefit
    stmb: Stmb
    partial_disability: PartialDisability | None = None
    note_id: str = ""  # the note in Indonesian

    @property
    def note_shown(self) -> str:
        """The note in the reader's language: Indonesian unless English was chosen."""
        if get_language() == "en" or not self.note_id:
            return self.note
        return self.note_id


def parse_month(text: str) -> Month:
    """'2026-05' → (2026, 5), or RulesError."""
    match = _MONTH.fullmatch(str(text).strip())
    if not match:
        raise RulesError(_("Enter a month as YYYY-MM, for example 2026-05."))
    return int(match[1]), int(match[2])


# --- the shape of one version in the file (see data_files for the reader) ----------------------


def _month(value: Any) -> Month:
    try:
        return parse_month(_text(value))
    except (RulesError, PydanticCustomError):
        raise expected(_("a month as YYYY-MM")) from None


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise expected(_("a date as YYYY-MM-DD")) from None


def _ascending(value: Any) -> tuple[int, ...]:
    if (
        not isinstance(value, list | tuple)
        or not value
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise expected(_("a list of whole numbers above 0"))
    if list(value) != sorted(set(value)):
        raise expected(_("numbers in ascending order without repeats"))
    return tuple(value)


def _funding(value: Any) -> frozenset[str]:
    if not isinstance(value, list | tuple) or not all(v in FUNDING for v in value):
        raise expected(_("a list of: %(allowed)s") % {"allowed": ", ".join(FUNDING)})
    return frozenset(value)


def _part_code(value: Any) -> str:
    code = _text(value)
    if not code.replace("_", "").isalnum() or code != code.lower():
        raise expected(_("a code of small letters, digits and _"))
    return code


MonthText = Annotated[Month, PlainValidator(_month)]
Ascending = Annotated[tuple[int, ...], PlainValidator(_ascending)]
Percent = Annotated[int, whole(0, 100)]
Tables = Field(min_length=1)  # a non-empty list of tables


class _Rate(Schema):
    rate_basis_points: Annotated[int, whole(0, 10_000)]
    source: Text

    def rate(self) -> Rate:
        return Rate(self.rate_basis_points, self.source)


class _Amount(Schema):
    amount: Whole
    source: Text


class _Contribution(Schema):
    jkk: _Rate
    jkm: _Amount
    jht: _Rate


class _IncomeLevels(Schema):
    amounts: Ascending
    verified: Bool
    source: Text


class _Payment(Schema):
    periods: Ascending
    source: Text

    @model_validator(mode="after")
    def _one_month_at_least(self) -> "_Payment":
        if 1 not in self.periods:
            raise rule(_("%(path)s.periods: must include 1."))
        return self


class _Lapse(Schema):
    unpaid_months: Annotated[int, whole(1)]
    source: Text


class _OtherFunding(Schema):
    """Which funding sources besides mandiri also get the reduction (true/false each)."""

    apbd: Bool | None = None
    apbd_provinsi: Bool | None = None
    dbhcht: Bool | None = None
    apbdes: Bool | None = None
    csr: Bool | None = None
    mandiri: Bool | None = None
    verified: Bool
    source: Any = None

    @model_validator(mode="before")
    @classmethod
    def _only_funding_sources(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and set(data) - set(FUNDING) - {"verified", "source"}:
            raise rule(_("%(path)s: only funding sources that are not excluded may be listed."))
        return data

    def listed(self) -> dict[str, bool]:
        return {name: value for name in FUNDING if (value := getattr(self, name)) is not None}


class _Reduction(Schema):
    percent: Percent
    months_from: MonthText
    months_to: MonthText
    transport_months_from: MonthText
    transport_months_to: MonthText
    excluded_funding: Annotated[frozenset[str], PlainValidator(_funding)]
    other_funding: _OtherFunding
    source: Text

    @model_validator(mode="after")
    def _consistent(self) -> "_Reduction":
        if self.months_from > self.months_to or (
            self.transport_months_from > self.transport_months_to
        ):
            raise rule(_("%(path)s: a month range ends before it starts."))
        if set(self.other_funding.listed()) & self.excluded_funding:
            raise rule(
                _("%(path)s: only funding sources that are not excluded may be listed."),
                at="other_funding",
            )
        return self

    def reduction(self) -> Reduction:
        listed = self.other_funding.listed()
        return Reduction(
            percent=self.percent,
            months=(self.months_from, self.months_to),
            transport_months=(self.transport_months_from, self.transport_months_to),
            excluded_funding=self.excluded_funding,
            other_funding=frozenset(n for n, on in listed.items() if on and n != SELF_PAID),
            other_funding_verified=self.other_funding.verified,
            source=self.source,
        )


class _ScholarshipLevel(Schema):
    level: Text
    per_year: Whole
    max_years: Whole

    @model_validator(mode="after")
    def _known(self) -> "_ScholarshipLevel":
        if self.level not in SCHOOL_LEVELS:
            raise rule(
                _("%(path)s.level: expected one of %(allowed)s."),
                allowed=", ".join(SCHOOL_LEVELS),
            )
        return self


class _Scholarship(Schema):
    min_contribution_years: Whole
    max_children: Whole
    max_total: Whole
    levels: Annotated[tuple[_ScholarshipLevel, ...], Tables]
    source: Text

    @model_validator(mode="after")
    def _every_level_in_order(self) -> "_Scholarship":
        if [lv.level for lv in self.levels] != list(SCHOOL_LEVELS):
            raise rule(
                _("%(path)s.levels: expected the levels %(allowed)s, in that order."),
                allowed=", ".join(SCHOOL_LEVELS),
            )
        return self

    def scholarship(self) -> Scholarship:
        return Scholarship(
            min_contribution_years=self.min_contribution_years,
            max_children=self.max_children,
            max_total=self.max_total,
            levels=tuple(
                ScholarshipLevel(lv.level, lv.per_year, lv.max_years) for lv in self.levels
            ),
            source=self.source,
        )


class _Part(Schema):
    code: Annotated[str, PlainValidator(_part_code)]
    label: Text
    percent: Percent


class _PartialDisability(Schema):
    months: Annotated[int, whole(1)]
    max_percent: Annotated[int, whole(1, 100)]
    parts: Annotated[tuple[_Part, ...], Tables]
    source: Text

    @model_validator(mode="after")
    def _codes_unique(self) -> "_PartialDisability":
        if len({p.code for p in self.parts}) != len(self.parts):
            raise rule(_("%(path)s.parts: two parts have the same code."))
        return self

    def table(self) -> PartialDisability:
        return PartialDisability(
            months=self.months,
            max_percent=self.max_percent,
            parts=tuple(DisabilityPart(p.code, p.label, p.percent) for p in self.parts),
            source=self.source,
        )


class _JkmBenefit(Schema):
    death_lump_sum: Whole
    periodic: Whole
    funeral: Whole
    source: Text


class _JkkBenefit(Schema):
    death_multiplier: Whole
    disability_total_multiplier: Whole
    funeral: Whole
    periodic: Whole
    source: Text


class _Stmb(Schema):
    full_months: Whole
    full_percent: Percent
    after_percent: Percent
    source: Text


class _Benefits(Schema):
    jkm: _JkmBenefit
    scholarship: _Scholarship
    jkk: _JkkBenefit
    stmb: _Stmb
    partial_disability: _PartialDisability | None = None


class _Version(Schema):
    """One [[versions]] table of national.toml (or the JSON of an admin-added version)."""

    version: Text
    effective_from: Annotated[datetime.date, PlainValidator(_date)]
    note: Text = ""
    note_id: Text = ""  # the same note in Indonesian
    contribution: _Contribution
    income_levels: _IncomeLevels
    payment: _Payment
    lapse: _Lapse
    reduction: _Reduction | None = None
    benefits: _Benefits

    def rule_set(self) -> RuleSet:
        c, b = self.contribution, self.benefits
        return RuleSet(
            version=self.version,
            effective_from=self.effective_from,
            note=self.note,
            note_id=self.note_id,
            jkk=c.jkk.rate(),
            jkm=Amount(c.jkm.amount, c.jkm.source),
            jht=c.jht.rate(),
            income_levels=IncomeLevels(
                self.income_levels.amounts, self.income_levels.verified, self.income_levels.source
            ),
            payment_periods=self.payment.periods,
            payment_source=self.payment.source,
            lapse_unpaid_months=self.lapse.unpaid_months,
            lapse_source=self.lapse.source,
            reduction=self.reduction.reduction() if self.reduction else None,
            jkm_benefit=JkmBenefit(**b.jkm.model_dump()),
            scholarship=b.scholarship.scholarship(),
            jkk_benefit=JkkBenefit(**b.jkk.model_dump()),
            stmb=Stmb(**b.stmb.model_dump()),
            partial_disability=b.partial_disability.table() if b.partial_disability else None,
        )


def parse_version(raw: Any, path: str = "version") -> RuleSet:
    """One version of the rules, validated. The same check for the file and for admins' input."""
    return read(_Version, raw, path=path).rule_set()


@dataclass(frozen=True)
class Version:
    """A version of the rules in the history: its rules and the raw data they came from."""

    rules: RuleSet
    data: dict[str, Any]  # JSON-ready, the shape of one [[versions]] table
    origin: str  # "file" or "admin"


def parse_file(text: str) -> list[Version]:
    """Every version in a rules file, validated, oldest first."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(str(error)) from error
    raws = document.get("versions")
    if not isinstance(raws, list) or not raws:
        raise RulesError(_("The rules file has no [[versions]]."))
    versions = [
        Version(parse_version(raw, f"versions[{i + 1}]"), json_ready(raw), "file")
        for i, raw in enumerate(raws)
    ]
    _check_unique(versions)
    return sorted(versions, key=lambda v: v.rules.effective_from)


def _check_unique(versions: list[Version]) -> None:
    dates = [v.rules.effective_from for v in versions]
    labels = [v.rules.version for v in versions]
    if len(set(dates)) != len(dates):
        raise RulesError(
            _("Two versions have the same effective date (overlapping effective date).")
        )
    if len(set(labels)) != len(labels):
        raise RulesError(_("Two versions have the same name."))


@functools.cache
def file_versions() -> list[Version]:
    return parse_file(NATIONAL_FILE.read_text(encoding="utf-8"))


def history() -> list[Version]:
    """The file's versions and the admin-added ones, oldest first."""
    from lindung.rules.models import RuleVersion

    added = [
        Version(parse_version(row.data, f"{row.version}"), row.data, "admin")
        for row in RuleVersion.objects.order_by("effective_from")
    ]
    return sorted([*file_versions(), *added], key=lambda v: v.rules.effective_from)


def rules_for(day: datetime.date, versions: list[Version] | None = None) -> RuleSet:
    """The rules in force on `day`: the version with the latest effective_from on or before it.
    Pass `versions` (from `history()`) to look up several days with one read of the database."""
    in_force = [v.rules for v in versions or history() if v.rules.effective_from <= day]
    if not in_force:
        raise RulesError(_("No rules are in force on %(day)s.") % {"day": day.isoformat()})
    return in_force[-1]
