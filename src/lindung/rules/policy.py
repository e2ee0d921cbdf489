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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _

from lindung.registry.models import TOBACCO_OCCUPATIONS, Occupation, WorkerStatus
from lindung.rules.national import FUNDING, PROGRAMS, RulesError, whole_number_problem
from lindung.ui.templatetags.lindung_format import format_number, format_rupiah

if TYPE_CHECKING:
    from lindung.rules.models import PolicyVersion

OCCUPATIONS: tuple[str, ...] = tuple(Occupation.values)
STATUSES: tuple[str, ...] = tuple(WorkerStatus.values)
MISSING_DESIL = ("include", "exclude")
MAX_SOURCES = 62  # the bits of an Int64: eligibility and the optimizer mark sources so
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
        reader = _Data(data, "policy", deployment=tuple(deployment), known_areas=known_areas)
        policy = reader.policy()
        if cost_per_worker is not None:
            policy.check_quotas(cost_per_worker)
        return policy

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data, the shape `from_data` reads."""
        return {
            "programs": list(self.programs),
            "reported_income": self.reported_income,
            "coverage_months": self.coverage_months,
            "sources": [
                {
                    "code": s.code,
                    "label": s.label,
                    "annual_budget": s.annual_budget,
                    "occupations": list(s.occupations),
                    "areas": list(s.areas),
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

    funding = code if code in FUNDING else "csr"
    return sum(
        contribution(
            policy.reported_income,
            programs=policy.programs,
            month=datetime.date(fiscal_year, month, 1),
            funding=funding,
            sector=sector,
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


def _within(code: str, deployment: Iterable[str]) -> bool:
    return any(code == top or code.startswith(top + ".") for top in deployment)


class _Data:
    """Typed reads of policy data; errors name the key path."""

    def __init__(
        self,
        data: Any,
        path: str,
        *,
        deployment: tuple[str, ...],
        known_areas: Collection[str] | None,
    ) -> None:
        if not isinstance(data, Mapping):
            raise RulesError(_("%(path)s: expected a table.") % {"path": path})
        self.data = data
        self.path = path
        self.deployment = deployment
        self.known_areas = known_areas

    def _fail(self, key: str, what: str) -> RulesError:
        return RulesError(
            _("%(path)s: expected %(what)s.") % {"path": f"{self.path}.{key}", "what": what}
        )

    def sub(self, key: str, default: Any = None) -> "_Data":
        value = self.data.get(key, {} if default is None else default)
        return _Data(
            value, f"{self.path}.{key}", deployment=self.deployment, known_areas=self.known_areas
        )

    def integer(
        self, key: str, default: int | None = None, *, minimum: int = 0, maximum: int | None = None
    ) -> int:
        if key not in self.data and default is not None:
            return default
        value: Any = self.data.get(key)
        if (what := whole_number_problem(value, minimum, maximum)) is not None:
            raise self._fail(key, what)
        return int(value)

    def optional_integer(self, key: str) -> int | None:
        return None if self.data.get(key) is None else self.integer(key)

    def share(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise self._fail(key, _("a share from 0 to 1"))
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, _("true or false"))
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, _("a text"))
        return value.strip()

    def codes(
        self, key: str, allowed: tuple[str, ...], default: Sequence[str] = ()
    ) -> tuple[str, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, _("a list of codes"))
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise RulesError(
                _("%(path)s: unknown code %(codes)s; choose from %(allowed)s.")
                % {
                    "path": f"{self.path}.{key}",
                    "codes": ", ".join(unknown),
                    "allowed": ", ".join(allowed),
                }
            )
        return tuple(dict.fromkeys(value))

    def area(self, value: Any, path: str) -> str:
        code = value.strip() if isinstance(value, str) else ""
        if code.count(".") not in (2, 3):
            raise RulesError(
                _("%(path)s: %(code)s is not a kecamatan or desa code such as 52.03.07.")
                % {"path": path, "code": value}
            )
        if self.deployment and not _within(code, self.deployment):
            raise RulesError(
                _("%(path)s: area %(code)s lies outside the deployment (%(deployment)s).")
                % {"path": path, "code": code, "deployment": ", ".join(self.deployment)}
            )
        if self.known_areas is not None and code not in self.known_areas:
            raise RulesError(
                _("%(path)s: unknown area code %(code)s.") % {"path": path, "code": code}
            )
        return code

    def areas(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list | tuple):
            raise self._fail(key, _("a list of area codes"))
        path = f"{self.path}.{key}"
        return tuple(dict.fromkeys(self.area(v, path) for v in value))

    def rows(self, key: str) -> list["_Data"]:
        value = self.data.get(key, [])
        if not isinstance(value, list | tuple):
            raise self._fail(key, _("a list of tables"))
        return [
            _Data(
                item,
                f"{self.path}.{key}[{i + 1}]",
                deployment=self.deployment,
                known_areas=self.known_areas,
            )
            for i, item in enumerate(value)
        ]

    def policy(self) -> Policy:
        programs = self.codes("programs", PROGRAMS, default=("JKK", "JKM"))
        if not {"JKK", "JKM"} <= set(programs):
            raise RulesError(_("BPU membership always includes JKK and JKM; JHT is optional."))
        sources = tuple(self.source(row) for row in self.rows("sources"))
        if not sources:
            raise RulesError(
                _("%(path)s.sources: add at least one funding source.") % {"path": self.path}
            )
        if len(sources) > MAX_SOURCES:
            raise RulesError(
                _("A policy can have at most %(count)s funding sources.") % {"count": MAX_SOURCES}
            )
        codes = [s.code for s in sources]
        if len(set(codes)) != len(codes):
            raise RulesError(_("Two funding sources have the same code."))
        return Policy(
            programs=tuple(p for p in PROGRAMS if p in programs),
            reported_income=self.integer("reported_income", 1_000_000, minimum=1),
            coverage_months=self.integer("coverage_months", 12, minimum=1, maximum=12),
            sources=sources,
            eligibility=self.sub("eligibility").eligibility(),
            priority=self.sub("priority").priority(),
            quotas=self.quotas(),
            proportional_to_population=self.boolean("proportional_to_population", False),
            deployment=self.deployment,
        )

    def source(self, row: "_Data") -> FundingSource:
        code = row.text("code").lower()
        if not code.replace("_", "").isalnum():
            raise row._fail("code", _("a code of letters, digits and _"))
        budget = row.data.get("annual_budget")
        if isinstance(budget, int) and not isinstance(budget, bool) and budget < 0:
            raise RulesError(
                _("%(path)s.annual_budget: a budget cannot be negative.") % {"path": row.path}
            )
        return FundingSource(
            code=code,
            label=row.text("label", default=code.upper()),
            annual_budget=row.integer("annual_budget"),
            occupations=row.codes("occupations", OCCUPATIONS),
            areas=row.areas("areas"),
        )

    def eligibility(self) -> Eligibility:
        default = Eligibility()
        min_age = self.integer("min_age", default.min_age, maximum=120)
        max_age = self.integer("max_age", default.max_age, maximum=120)
        if min_age > max_age:
            raise RulesError(
                _("%(path)s: the minimum age (%(min)s) is above the maximum age (%(max)s).")
                % {"path": self.path, "min": min_age, "max": max_age}
            )
        missing = self.data.get("missing_desil", default.missing_desil)
        if missing not in MISSING_DESIL:
            raise self._fail("missing_desil", _("include or exclude"))
        statuses = self.codes("statuses", STATUSES, default=default.statuses)
        if not statuses:
            raise self._fail("statuses", _("at least one status"))
        return Eligibility(
            min_age=min_age,
            max_age=max_age,
            max_desil=self.integer("max_desil", default.max_desil, minimum=1, maximum=10),
            missing_desil=missing,
            statuses=statuses,
            occupations_included=self.codes("occupations_included", OCCUPATIONS),
            occupations_excluded=self.codes("occupations_excluded", OCCUPATIONS),
        )

    def priority(self) -> Priority:
        default = Priority()
        bands = []
        for row in self.rows("age_bands") if "age_bands" in self.data else []:
            low = row.integer("min_age", maximum=120)
            high = row.integer("max_age", maximum=120)
            if low > high:
                raise RulesError(
                    _("%(path)s: the band's lowest age is above its highest.") % {"path": row.path}
                )
            bands.append(AgeBand(low, high, row.integer("points")))
        return Priority(
            desil=self.integer("desil", default.desil),
            female_head=self.integer("female_head", default.female_head),
            disability=self.integer("disability", default.disability),
            high_risk_occupations=self.codes(
                "high_risk_occupations", OCCUPATIONS, default=default.high_risk_occupations
            ),
            high_risk=self.integer("high_risk", default.high_risk),
            age_bands=tuple(bands) if "age_bands" in self.data else default.age_bands,
            nomination=self.integer("nomination", default.nomination),
        )

    def quotas(self) -> tuple[Quota, ...]:
        quotas = []
        for row in self.rows("quotas"):
            quota = Quota(
                area=self.area(row.data.get("area"), f"{row.path}.area"),
                minimum=row.optional_integer("minimum"),
                maximum=row.optional_integer("maximum"),
                minimum_share=row.share("minimum_share"),
                maximum_share=row.share("maximum_share"),
            )
            if all(getattr(quota, k) is None for k in QUOTA_BOUNDS):
                raise RulesError(
                    _("%(path)s: set a minimum, maximum, minimum_share or maximum_share.")
                    % {"path": row.path}
                )
            if (quota.minimum or 0) > (quota.maximum if quota.maximum is not None else 10**12):
                raise RulesError(
                    _("%(path)s: the minimum is above the maximum.") % {"path": row.path}
                )
            if (quota.minimum_share or 0) > (
                quota.maximum_share if quota.maximum_share is not None else 1
            ):
                raise RulesError(
                    _("%(path)s: the minimum share is above the maximum share.")
                    % {"path": row.path}
                )
            quotas.append(quota)
        areas = [q.area for q in quotas]
        if len(set(areas)) != len(areas):
            raise RulesError(_("Two quotas are set for the same area."))
        return tuple(quotas)


# --- reads of the saved versions -----------------------------------------------------------------


def deployment() -> tuple[str, ...]:
    from lindung.regions.queries import deployment_codes

    return tuple(deployment_codes())


def known_areas(codes: Sequence[str]) -> set[str]:
    """The kecamatan and desa codes inside `codes` (the deployment's kabupaten)."""
    from lindung.regions.models import Level, Region

    return set(
        Region.objects.within(list(codes))
        .filter(level__in=(Level.KECAMATAN, Level.DESA_KELURAHAN))
        .values_list("code", flat=True)
    )


def policy_of(data: Any) -> Policy:
    """A saved version's data as a Policy for this deployment (checked when it was saved)."""
    return Policy.from_data(data, deployment=deployment())


def active_policy() -> tuple[Policy, "PolicyVersion | None"]:
    """The latest saved version, or the default policy while none is saved."""
    from lindung.rules.models import PolicyVersion

    latest = PolicyVersion.objects.order_by("-number").first()
    if latest is None:
        return Policy.default(deployment()), None
    return policy_of(latest.data), latest
