"""The regency's own rules (the Perbup): who may be sponsored, by which budget, in what order.

`Policy.from_data(data, ...)` turns the JSON stored on a `PolicyVersion` (or built by the edit
form) into a frozen `Policy`, or raises `RulesError` naming the faulty key; `to_data()` gives the
JSON back. The same check runs for every way a policy comes in.

Conventions, also used by `rules.eligibility`:
- money is whole rupiah; `reported_income` is the income the contribution of a sponsored worker
  is calculated on, `coverage_months` the months of a fiscal year the budgets pay for;
- ages are whole years counted on 1 January of the fiscal year (someone born on 1 January
  1961 is 65 for fiscal year 2026, someone born on 2 January 1961 is 64);
- a source with no `occupations` pays for every occupation, one with no `areas` for the whole
  deployment; `areas` are kecamatan or desa codes inside the deployment;
- priority points are integers: `desil` points per step below the ceiling
  ((max_desil + 1 - desil) x weight, none for a missing desil), a fixed weight each for a
  female head of household, a disability, a high-risk occupation and a nomination, and the
  points of every age band the worker's age falls in;
- quotas bound a kecamatan's or desa's share of the covered workers: an absolute `minimum` /
  `maximum`, or a `minimum_share` / `maximum_share` of the covered total (0 to 1).
"""

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import PlainValidator, ValidationInfo, model_validator

from lindung.formats import format_number, format_rupiah
from lindung.regions import scope
from lindung.registry.models import TOBACCO_OCCUPATIONS, Occupation, WorkerStatus
from lindung.rules.data_files import (
    Bool,
    Schema,
    Text,
    Whole,
    expected,
    read,
    rule,
    text,
    whole,
    whole_number,
)
from lindung.rules.national import FUNDING, PROGRAMS, RulesError

if TYPE_CHECKING:
    from lindung.rules.models import PolicyVersion

OCCUPATIONS: tuple[str, ...] = tuple(Occupation.values)
STATUSES: tuple[str, ...] = tuple(WorkerStatus.values)
MISSING_DESIL = ("include", "exclude")
# A worker whose NIK was issued in another regency: sent to BPJS as any other ("allow"), sent
# with a warning ("warn"), or held back from registration batches ("refuse").
OTHER_REGION_NIK = ("allow", "warn", "refuse")
MAX_SOURCES = 62  # the bits of an Int64: eligibility and the optimizer mark sources so
BILLING_MONTHS = (1, 3, 6, 12)  # a bill's months: the payment periods of Permenaker 5/2021
QUOTA_BOUNDS = ("minimum", "maximum", "minimum_share", "maximum_share")
DEFAULT_HIGH_RISK = (
    Occupation.NELAYAN.value,
    Occupation.OJEK.value,
    Occupation.BURUH_HARIAN_LEPAS.value,
    Occupation.TUKANG.value,
)
TOBACCO: tuple[str, ...] = tuple(sorted(str(o) for o in TOBACCO_OCCUPATIONS))


@dataclass(frozen=True)
class FundingSource:
    code: str
    label: str
    annual_budget: int
    occupations: tuple[str, ...] = ()  # empty: every occupation
    areas: tuple[str, ...] = ()  # kecamatan or desa codes; empty: the whole deployment
    # How many months one bill of this source covers (paid at once): 1, 3, 6 or 12.
    billing_months: int = 6


@dataclass(frozen=True)
class Eligibility:
    min_age: int = 18
    max_age: int = 65
    max_desil: int = 4
    missing_desil: Literal["include", "exclude"] = "exclude"
    statuses: tuple[str, ...] = (WorkerStatus.AKTIF.value,)
    occupations_included: tuple[str, ...] = ()  # empty: every occupation
    occupations_excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgeBand:
    min_age: int
    max_age: int
    points: int


@dataclass(frozen=True)
class Priority:
    desil: int = 10
    female_head: int = 15
    disability: int = 15
    high_risk_occupations: tuple[str, ...] = DEFAULT_HIGH_RISK
    high_risk: int = 10
    age_bands: tuple[AgeBand, ...] = (AgeBand(40, 65, 5),)
    nomination: int = 20


@dataclass(frozen=True)
class Quota:
    area: str
    minimum: int | None = None
    maximum: int | None = None
    minimum_share: float | None = None
    maximum_share: float | None = None


@dataclass(frozen=True)
class Policy:
    sources: tuple[FundingSource, ...]
    eligibility: Eligibility = Eligibility()
    priority: Priority = Priority()
    quotas: tuple[Quota, ...] = ()
    proportional_to_population: bool = False
    # An active self-paying participant (mandiri) may be sponsored (True), or counts as
    # already covered: not eligible, held back from registration (False).
    sponsor_self_paying: bool = False
    other_region_nik: Literal["allow", "warn", "refuse"] = "warn"
    programs: tuple[str, ...] = ("JKK", "JKM")
    reported_income: int = 1_000_000
    coverage_months: int = 12
    # The deployment's kabupaten codes (not stored: they come from the installation).
    deployment: tuple[str, ...] = ()

    @property
    def total_budget(self) -> int:
        return sum(s.annual_budget for s in self.sources)

    @classmethod
    def default(cls, deployment_codes: Sequence[str]) -> "Policy":
        """The starting policy for Lombok Timur: APBD for everyone, DBHCHT for tobacco workers."""
        return cls(
            sources=(
                FundingSource("apbd", "APBD", 12_000_000_000),
                FundingSource("dbhcht", "DBHCHT", 3_000_000_000, occupations=TOBACCO),
            ),
            deployment=tuple(deployment_codes),
        )

    @classmethod
    def from_data(
        cls,
        data: Any,
        *,
        deployment: Sequence[str] = (),
        known_areas: Collection[str] | None = None,
        cost_per_worker: int | None = None,
    ) -> "Policy":
        """Validated policy data. Area codes must lie inside `deployment` (when given) and be
        among `known_areas` (when given); with `cost_per_worker`, quota minimums must be
        payable from the budgets."""
        codes = tuple(deployment)
        context = {"deployment": codes, "known_areas": known_areas}
        policy = read(_Policy, data, path="policy", context=context).policy(codes)
        if cost_per_worker is not None:
            policy.check_quotas(cost_per_worker)
        return policy

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data, the shape `from_data` reads."""
        return {
            "programs": list(self.programs),
            "reported_income": self.reported_income,
            "coverage_months": self.coverage_months,
            "sponsor_self_paying": self.sponsor_self_paying,
            "other_region_nik": self.other_region_nik,
            "sources": [
                {
                    "code": s.code,
                    "label": s.label,
                    "annual_budget": s.annual_budget,
                    "occupations": list(s.occupations),
                    "areas": list(s.areas),
                    "billing_months": s.billing_months,
                }
                for s in self.sources
            ],
            "eligibility": {
                "min_age": self.eligibility.min_age,
                "max_age": self.eligibility.max_age,
                "max_desil": self.eligibility.max_desil,
                "missing_desil": self.eligibility.missing_desil,
                "statuses": list(self.eligibility.statuses),
                "occupations_included": list(self.eligibility.occupations_included),
                "occupations_excluded": list(self.eligibility.occupations_excluded),
            },
            "priority": {
                "desil": self.priority.desil,
                "female_head": self.priority.female_head,
                "disability": self.priority.disability,
                "high_risk_occupations": list(self.priority.high_risk_occupations),
                "high_risk": self.priority.high_risk,
                "age_bands": [
                    {"min_age": b.min_age, "max_age": b.max_age, "points": b.points}
                    for b in self.priority.age_bands
                ],
                "nomination": self.priority.nomination,
            },
            "quotas": [
                {
                    "area": q.area,
                    **{k: getattr(q, k) for k in QUOTA_BOUNDS if getattr(q, k) is not None},
                }
                for q in self.quotas
            ],
            "proportional_to_population": self.proportional_to_population,
        }

    def check_quotas(self, cost_per_worker: int) -> None:
        """RulesError when the quota minimums ask for more workers than the budgets pay for."""
        payable = self.total_budget // cost_per_worker if cost_per_worker > 0 else 0
        minimums = sum(q.minimum or 0 for q in self.quotas)
        if minimums > payable:
            raise RulesError(
                _(
                    "The quota minimums add up to %(minimums)s workers, but the budgets pay for "
                    "only %(payable)s at %(cost)s per worker."
                )
                % {
                    "minimums": format_number(minimums),
                    "payable": format_number(payable),
                    "cost": format_rupiah(cost_per_worker),
                }
            )
        shares = sum(q.minimum_share or 0 for q in self.quotas)
        if shares > 1:
            raise RulesError(_("The quota minimum shares add up to more than 1 (100%)."))


def source_cost(policy: Policy, code: str, fiscal_year: int, sector: str | None = None) -> int:
    """One worker of `sector` (None: the sectors without their own reduction months; see
    calculators.SECTORS) for the policy's coverage months of `fiscal_year`, paid by source
    `code`, each month under the national rules in force that month (PP 50/2025 reduces the
    months of its window, longer for transport, except for APBN/APBD money). Sources the
    contribution calculator does not know (e.g. BAZNAS) are charged like CSR co-funding."""
    from lindung.rules.calculators import contribution
    from lindung.rules.national import history

    funding = code if code in FUNDING else "csr"
    versions = history()  # read once for the year's months
    return sum(
        contribution(
            policy.reported_income,
            programs=policy.programs,
            month=datetime.date(fiscal_year, month, 1),
            funding=funding,
            sector=sector,
            versions=versions,
        ).total_per_month
        for month in range(1, policy.coverage_months + 1)
    )


def cost_per_worker(policy: Policy, fiscal_year: int) -> int:
    """What one sponsored worker costs in `fiscal_year` when the regency budget (APBD) pays."""
    return source_cost(policy, "apbd", fiscal_year)


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted keys ("eligibility.max_desil"), for diffs people can read."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


# --- the shape of the stored data (read by data_files.read) --------------------------------------


def _codes(allowed: tuple[str, ...]) -> PlainValidator:
    """A list of codes among `allowed`, repeats dropped."""

    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise expected(_("a list of codes"))
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise rule(
                _("%(path)s: unknown code %(codes)s; choose from %(allowed)s."),
                codes=", ".join(unknown),
                allowed=", ".join(allowed),
            )
        return tuple(dict.fromkeys(value))

    return PlainValidator(check)


def _area(value: Any, info: ValidationInfo) -> str:
    """A kecamatan or desa code inside the deployment and known, when the context says so."""
    context = info.context or {}
    deployment: tuple[str, ...] = context.get("deployment", ())
    known: Collection[str] | None = context.get("known_areas")
    code = value.strip() if isinstance(value, str) else ""
    if code.count(".") not in (2, 3):
        raise rule(
            _("%(path)s: %(code)s is not a kecamatan or desa code such as 52.03.07."), code=value
        )
    if deployment and not scope.contains(deployment, code):
        raise rule(
            _("%(path)s: area %(code)s lies outside the deployment (%(deployment)s)."),
            code=code,
            deployment=", ".join(deployment),
        )
    if known is not None and code not in known:
        raise rule(_("%(path)s: unknown area code %(code)s."), code=code)
    return code


def _areas(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise expected(_("a list of area codes"))
    return tuple(dict.fromkeys(_area(v, info) for v in value))


def _share(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise expected(_("a share from 0 to 1"))
    return float(value)


def _optional_whole(value: Any) -> int | None:
    return None if value is None else whole_number(value)


def _source_code(value: Any) -> str:
    code = text(value).lower()
    if not code.replace("_", "").isalnum():
        raise expected(_("a code of letters, digits and _"))
    return code


def _missing_desil(value: Any) -> str:
    if value not in MISSING_DESIL:
        raise expected(_("include or exclude"))
    return str(value)


def _other_region_nik(value: Any) -> str:
    if value not in OTHER_REGION_NIK:
        raise expected(_("allow, warn or refuse"))
    return str(value)


Occupations = Annotated[tuple[str, ...], _codes(OCCUPATIONS)]
Age = Annotated[int, whole(0, 120)]
OptionalWhole = Annotated[int | None, PlainValidator(_optional_whole)]
Share = Annotated[float | None, PlainValidator(_share)]
_E, _P = Eligibility(), Priority()


class _Source(Schema):
    code: Annotated[str, PlainValidator(_source_code)]
    label: Text | None = None  # default: the code in capitals
    annual_budget: Whole
    occupations: Occupations = ()
    areas: Annotated[tuple[str, ...], PlainValidator(_areas)] = ()
    billing_months: Whole = 6

    @model_validator(mode="before")
    @classmethod
    def _budget_not_negative(cls, data: Any) -> Any:
        budget = data.get("annual_budget") if isinstance(data, Mapping) else None
        if isinstance(budget, int) and not isinstance(budget, bool) and budget < 0:
            raise rule(_("%(path)s.annual_budget: a budget cannot be negative."))
        months = data.get("billing_months", 6) if isinstance(data, Mapping) else 6
        if months not in BILLING_MONTHS:
            raise rule(_("%(path)s.billing_months: a bill covers 1, 3, 6 or 12 months."))
        return data

    def source(self) -> FundingSource:
        return FundingSource(
            self.code,
            self.label or self.code.upper(),
            self.annual_budget,
            self.occupations,
            self.areas,
            self.billing_months,
        )


class _Eligibility(Schema):
    min_age: Age = _E.min_age
    max_age: Age = _E.max_age
    max_desil: Annotated[int, whole(1, 10)] = _E.max_desil
    missing_desil: Annotated[Literal["include", "exclude"], PlainValidator(_missing_desil)] = (
        _E.missing_desil
    )
    statuses: Annotated[tuple[str, ...], _codes(STATUSES)] = _E.statuses
    occupations_included: Occupations = ()
    occupations_excluded: Occupations = ()

    @model_validator(mode="after")
    def _consistent(self) -> "_Eligibility":
        if self.min_age > self.max_age:
            raise rule(
                _("%(path)s: the minimum age (%(min)s) is above the maximum age (%(max)s)."),
                min=self.min_age,
                max=self.max_age,
            )
        if not self.statuses:
            raise rule(
                _("%(path)s: expected %(what)s."), at="statuses", what=_("at least one status")
            )
        return self

    def eligibility(self) -> Eligibility:
        return Eligibility(**self.model_dump())


class _AgeBand(Schema):
    min_age: Age
    max_age: Age
    points: Whole

    @model_validator(mode="after")
    def _ordered(self) -> "_AgeBand":
        if self.min_age > self.max_age:
            raise rule(_("%(path)s: the band's lowest age is above its highest."))
        return self


class _Priority(Schema):
    desil: Whole = _P.desil
    female_head: Whole = _P.female_head
    disability: Whole = _P.disability
    high_risk_occupations: Occupations = _P.high_risk_occupations
    high_risk: Whole = _P.high_risk
    age_bands: tuple[_AgeBand, ...] | None = None  # None: the default bands
    nomination: Whole = _P.nomination

    def priority(self) -> Priority:
        bands = (
            _P.age_bands
            if self.age_bands is None
            else tuple(AgeBand(b.min_age, b.max_age, b.points) for b in self.age_bands)
        )
        return Priority(
            desil=self.desil,
            female_head=self.female_head,
            disability=self.disability,
            high_risk_occupations=self.high_risk_occupations,
            high_risk=self.high_risk,
            age_bands=bands,
            nomination=self.nomination,
        )


class _Quota(Schema):
    area: Annotated[str, PlainValidator(_area)]
    minimum: OptionalWhole = None
    maximum: OptionalWhole = None
    minimum_share: Share = None
    maximum_share: Share = None

    @model_validator(mode="after")
    def _consistent(self) -> "_Quota":
        if all(getattr(self, k) is None for k in QUOTA_BOUNDS):
            raise rule(_("%(path)s: set a minimum, maximum, minimum_share or maximum_share."))
        if (self.minimum or 0) > (self.maximum if self.maximum is not None else 10**12):
            raise rule(_("%(path)s: the minimum is above the maximum."))
        if (self.minimum_share or 0) > (
            self.maximum_share if self.maximum_share is not None else 1
        ):
            raise rule(_("%(path)s: the minimum share is above the maximum share."))
        return self


class _Policy(Schema):
    programs: Annotated[tuple[str, ...], _codes(PROGRAMS)] = ("JKK", "JKM")
    sources: tuple[_Source, ...] = ()
    reported_income: Annotated[int, whole(1)] = 1_000_000
    coverage_months: Annotated[int, whole(1, 12)] = 12
    eligibility: _Eligibility = _Eligibility()
    priority: _Priority = _Priority()
    quotas: tuple[_Quota, ...] = ()
    proportional_to_population: Bool = False
    sponsor_self_paying: Bool = False
    other_region_nik: Annotated[str, PlainValidator(_other_region_nik)] = "warn"

    @model_validator(mode="after")
    def _consistent(self) -> "_Policy":
        if not {"JKK", "JKM"} <= set(self.programs):
            raise rule(_("BPU membership always includes JKK and JKM; JHT is optional."))
        if not self.sources:
            raise rule(_("%(path)s.sources: add at least one funding source."))
        if len(self.sources) > MAX_SOURCES:
            raise rule(_("A policy can have at most %(count)s funding sources."), count=MAX_SOURCES)
        codes = [s.code for s in self.sources]
        if len(set(codes)) != len(codes):
            raise rule(_("Two funding sources have the same code."))
        areas = [q.area for q in self.quotas]
        if len(set(areas)) != len(areas):
            raise rule(_("Two quotas are set for the same area."))
        return self

    def policy(self, deployment: tuple[str, ...]) -> Policy:
        return Policy(
            programs=tuple(p for p in PROGRAMS if p in self.programs),
            reported_income=self.reported_income,
            coverage_months=self.coverage_months,
            sources=tuple(s.source() for s in self.sources),
            eligibility=self.eligibility.eligibility(),
            priority=self.priority.priority(),
            quotas=tuple(
                Quota(q.area, q.minimum, q.maximum, q.minimum_share, q.maximum_share)
                for q in self.quotas
            ),
            proportional_to_population=self.proportional_to_population,
            sponsor_self_paying=self.sponsor_self_paying,
            other_region_nik=self.other_region_nik,  # type: ignore[arg-type]
            deployment=deployment,
        )


# --- reads of the saved versions -----------------------------------------------------------------


def deployment(kabupaten: str | None = None) -> tuple[str, ...]:
    """The kabupaten/kota a policy is for: the one named, or the installation's only one (none
    before `lindung setup`). Each kabupaten/kota of an installation has its own policy, so a
    caller in an installation that serves several must name it (LookupError otherwise)."""
    if kabupaten:
        return (kabupaten,)
    codes = scope.deployment_codes()
    return tuple(codes[:1]) if len(codes) <= 1 else (scope.sole_kabupaten(),)


def registry_kabupaten(policy: Policy) -> str | None:
    """The kabupaten/kota whose workers a run of `policy` reads: its own in an installation that
    serves several; None (every worker, read without a filter) in one that serves only it."""
    if len(policy.deployment) == 1 and len(scope.deployment_codes()) > 1:
        return policy.deployment[0]
    return None


def known_areas(codes: Sequence[str]) -> set[str]:
    """The kecamatan and desa codes inside `codes` (the deployment's kabupaten)."""
    from lindung.regions.models import Level, Region

    return set(
        Region.objects.within(list(codes))
        .filter(level__in=(Level.KECAMATAN, Level.DESA_KELURAHAN))
        .values_list("code", flat=True)
    )


def policy_of(data: Any, kabupaten: str | None = None) -> Policy:
    """A saved version's data as a Policy for its kabupaten/kota (checked when it was saved)."""
    return Policy.from_data(data, deployment=deployment(kabupaten))


def active_policy(kabupaten: str | None = None) -> tuple[Policy, "PolicyVersion | None"]:
    """The kabupaten/kota's latest saved version, or the default policy while it has none.
    `kabupaten` may be left out in an installation that serves one."""
    from lindung.rules.models import PolicyVersion

    codes = deployment(kabupaten)
    latest = PolicyVersion.objects.filter(kabupaten__in=codes).order_by("-number").first()
    if latest is None:
        return Policy.default(codes), None
    return policy_of(latest.data, latest.kabupaten), latest


def all_source_labels() -> dict[str, str]:
    """Funding source code → label in the active policies of every kabupaten/kota served (the
    first kabupaten/kota's label where two name the same code differently)."""
    labels: dict[str, str] = {}
    codes: list[str | None] = [*scope.deployment_codes()] or [None]
    for code in codes:
        for source in active_policy(code)[0].sources:
            labels.setdefault(source.code, str(source.label))
    return labels
