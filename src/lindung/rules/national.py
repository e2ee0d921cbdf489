"""National regulation as effective-dated data: the TOML file plus versions added by admins.

`parse_version(raw)` turns one version (a TOML table, or the JSON stored for an admin-added one)
into a frozen `RuleSet`, or raises `RulesError` naming the faulty key. `rules_for(day)` picks the
version in force on `day`: the latest `effective_from` on or before it, over the file's versions
and the database's together. Money is whole rupiah; rates are basis points (100 = 1%).
"""

import datetime
import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

NATIONAL_FILE = Path(__file__).parent / "data" / "national.toml"

FUNDING = ("apbd", "apbd_provinsi", "dbhcht", "apbdes", "csr", "mandiri")
SELF_PAID = "mandiri"
PROGRAMS = ("JKK", "JKM", "JHT")
SCHOOL_LEVELS = ("TK", "SD", "SMP", "SMA", "S1")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")

Month = tuple[int, int]  # (year, month)


class RulesError(Exception):
    """Rules data or a calculator input that breaks a rule; `message` is shown to people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


def parse_month(text: str) -> Month:
    """'2026-05' → (2026, 5), or RulesError."""
    match = _MONTH.fullmatch(str(text).strip())
    if not match:
        raise RulesError(_("Enter a month as YYYY-MM, for example 2026-05."))
    return int(match[1]), int(match[2])


def whole_number_problem(value: Any, minimum: int, maximum: int | None) -> str | None:
    """None when `value` is a whole number within the bounds; else what it should have been."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= minimum
        and (maximum is None or value <= maximum)
    ):
        return None
    if maximum is None:
        return _("a whole number, %(minimum)s or more") % {"minimum": minimum}
    return _("a whole number from %(minimum)s to %(maximum)s") % {
        "minimum": minimum,
        "maximum": maximum,
    }


class _Reader:
    """Typed access to one table of a version; errors name the full key path."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise RulesError(_("%(path)s: expected a table.") % {"path": path})
        self.data = data
        self.path = path

    def _fail(self, key: str, what: str) -> RulesError:
        return RulesError(
            _("%(path)s: expected %(what)s.") % {"path": f"{self.path}.{key}", "what": what}
        )

    def _get(self, key: str) -> Any:
        if key not in self.data:
            return self._missing(key)
        return self.data[key]

    def _missing(self, key: str) -> Any:
        raise RulesError(_("%(path)s is missing.") % {"path": f"{self.path}.{key}"})

    def table(self, key: str) -> "_Reader":
        return _Reader(self._get(key), f"{self.path}.{key}")

    def optional_table(self, key: str) -> "_Reader | None":
        return self.table(key) if key in self.data else None

    def integer(self, key: str, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self._get(key)
        if (what := whole_number_problem(value, minimum, maximum)) is not None:
            raise self._fail(key, what)
        return int(value)

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._fail(key, _("true or false"))
        return value

    def text(self, key: str, *, default: str | None = None) -> str:
        if default is not None and key not in self.data:
            return default
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, _("a text"))
        return value.strip()

    def source(self) -> str:
        return self.text("source")

    def month(self, key: str) -> Month:
        try:
            return parse_month(self.text(key))
        except RulesError:
            raise self._fail(key, _("a month as YYYY-MM")) from None

    def date(self, key: str) -> datetime.date:
        value = self._get(key)
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            raise self._fail(key, _("a date as YYYY-MM-DD")) from None

    def ints(self, key: str) -> tuple[int, ...]:
        value = self._get(key)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
        ):
            raise self._fail(key, _("a list of whole numbers above 0"))
        if list(value) != sorted(set(value)):
            raise self._fail(key, _("numbers in ascending order without repeats"))
        return tuple(value)

    def strs(self, key: str, *, allowed: tuple[str, ...]) -> frozenset[str]:
        value = self._get(key)
        if not isinstance(value, list) or not all(v in allowed for v in value):
            raise self._fail(key, _("a list of: %(allowed)s") % {"allowed": ", ".join(allowed)})
        return frozenset(value)

    def tables(self, key: str) -> list["_Reader"]:
        value = self._get(key)
        if not isinstance(value, list) or not value:
            raise self._fail(key, _("a list of tables"))
        return [_Reader(item, f"{self.path}.{key}[{i + 1}]") for i, item in enumerate(value)]


def _reduction(table: _Reader | None) -> Reduction | None:
    if table is None:
        return None
    months = (table.month("months_from"), table.month("months_to"))
    transport = (table.month("transport_months_from"), table.month("transport_months_to"))
    if months[0] > months[1] or transport[0] > transport[1]:
        raise RulesError(_("%(path)s: a month range ends before it starts.") % {"path": table.path})
    excluded = table.strs("excluded_funding", allowed=FUNDING)
    other = table.table("other_funding")
    reduced = frozenset(
        name for name in FUNDING if name not in (SELF_PAID, *excluded) and name in other.data
    )
    unknown = set(other.data) - set(FUNDING) - {"verified", "source"}
    if unknown or any(name in excluded for name in other.data):
        raise RulesError(
            _("%(path)s: only funding sources that are not excluded may be listed.")
            % {"path": other.path}
        )
    return Reduction(
        percent=table.integer("percent", maximum=100),
        months=months,
        transport_months=transport,
        excluded_funding=excluded,
        other_funding=frozenset(name for name in reduced if other.boolean(name)),
        other_funding_verified=other.boolean("verified"),
        source=table.source(),
    )


def _scholarship(table: _Reader) -> Scholarship:
    levels = []
    for row in table.tables("levels"):
        level = row.text("level")
        if level not in SCHOOL_LEVELS:
            raise RulesError(
                _("%(path)s.level: expected one of %(allowed)s.")
                % {"path": row.path, "allowed": ", ".join(SCHOOL_LEVELS)}
            )
        levels.append(
            ScholarshipLevel(
                level=level, per_year=row.integer("per_year"), max_years=row.integer("max_years")
            )
        )
    if [lv.level for lv in levels] != list(SCHOOL_LEVELS):
        raise RulesError(
            _("%(path)s.levels: expected the levels %(allowed)s, in that order.")
            % {"path": table.path, "allowed": ", ".join(SCHOOL_LEVELS)}
        )
    return Scholarship(
        min_contribution_years=table.integer("min_contribution_years"),
        max_children=table.integer("max_children"),
        max_total=table.integer("max_total"),
        levels=tuple(levels),
        source=table.source(),
    )


def _partial_disability(table: _Reader | None) -> PartialDisability | None:
    if table is None:
        return None
    parts = []
    for row in table.tables("parts"):
        code = row.text("code")
        if not code.replace("_", "").isalnum() or code != code.lower():
            raise row._fail("code", _("a code of small letters, digits and _"))
        parts.append(DisabilityPart(code, row.text("label"), row.integer("percent", maximum=100)))
    if len({p.code for p in parts}) != len(parts):
        raise RulesError(_("%(path)s.parts: two parts have the same code.") % {"path": table.path})
    return PartialDisability(
        months=table.integer("months", minimum=1),
        max_percent=table.integer("max_percent", minimum=1, maximum=100),
        parts=tuple(parts),
        source=table.source(),
    )


def parse_version(raw: Any, path: str = "version") -> RuleSet:
    """One version of the rules, validated. The same check for the file and for admins' input."""
    top = _Reader(raw, path)
    contribution = top.table("contribution")
    jkk, jkm, jht = (contribution.table(n) for n in ("jkk", "jkm", "jht"))
    levels, payment, lapse = (top.table(n) for n in ("income_levels", "payment", "lapse"))
    benefits = top.table("benefits")
    jkm_b, jkk_b, stmb = (benefits.table(n) for n in ("jkm", "jkk", "stmb"))
    periods = payment.ints("periods")
    if 1 not in periods:
        raise RulesError(_("%(path)s.periods: must include 1.") % {"path": payment.path})
    return RuleSet(
        version=top.text("version"),
        effective_from=top.date("effective_from"),
        note=top.text("note", default=""),
        jkk=Rate(jkk.integer("rate_basis_points", maximum=10_000), jkk.source()),
        jkm=Amount(jkm.integer("amount"), jkm.source()),
        jht=Rate(jht.integer("rate_basis_points", maximum=10_000), jht.source()),
        income_levels=IncomeLevels(
            levels.ints("amounts"), levels.boolean("verified"), levels.source()
        ),
        payment_periods=periods,
        payment_source=payment.source(),
        lapse_unpaid_months=lapse.integer("unpaid_months", minimum=1),
        lapse_source=lapse.source(),
        reduction=_reduction(top.optional_table("reduction")),
        jkm_benefit=JkmBenefit(
            death_lump_sum=jkm_b.integer("death_lump_sum"),
            periodic=jkm_b.integer("periodic"),
            funeral=jkm_b.integer("funeral"),
            source=jkm_b.source(),
        ),
        scholarship=_scholarship(benefits.table("scholarship")),
        jkk_benefit=JkkBenefit(
            death_multiplier=jkk_b.integer("death_multiplier"),
            disability_total_multiplier=jkk_b.integer("disability_total_multiplier"),
            funeral=jkk_b.integer("funeral"),
            periodic=jkk_b.integer("periodic"),
            source=jkk_b.source(),
        ),
        stmb=Stmb(
            full_months=stmb.integer("full_months"),
            full_percent=stmb.integer("full_percent", maximum=100),
            after_percent=stmb.integer("after_percent", maximum=100),
            source=stmb.source(),
        ),
        partial_disability=_partial_disability(benefits.optional_table("partial_disability")),
    )


@dataclass(frozen=True)
class Version:
    """A version of the rules in the history: its rules and the raw data they came from."""

    rules: RuleSet
    data: dict[str, Any]  # JSON-ready, the shape of one [[versions]] table
    origin: str  # "file" or "admin"


def json_ready(value: Any) -> Any:
    """TOML values as JSON: dates become ISO text."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


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


def rules_for(day: datetime.date) -> RuleSet:
    """The rules in force on `day`: the version with the latest effective_from on or before it."""
    in_force = [v.rules for v in history() if v.rules.effective_from <= day]
    if not in_force:
        raise RulesError(_("No rules are in force on %(day)s.") % {"day": day.isoformat()})
    return in_force[-1]


def to_toml(data: Mapping[str, Any]) -> str:
    """One version as TOML text (the admin form's starting point). Handles the file's shapes:
    scalars, lists of scalars, tables and lists of tables."""
    lines: list[str] = []
    _emit(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if _ISO_DATE.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _emit(data: Mapping[str, Any], path: list[str], lines: list[str]) -> None:
    for key, value in data.items():
        if not isinstance(value, Mapping) and not _is_table_list(value):
            lines.append(f"{key} = {_scalar(value)}")
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines += ["", f"[{'.'.join([*path, key])}]"]
            _emit(value, [*path, key], lines)
        elif _is_table_list(value):
            for item in value:
                lines += ["", f"[[{'.'.join([*path, key])}]]"]
                _emit(item, [*path, key], lines)
