# Over 600 lines: the figures, their breakdowns, expected events and small cells are one whole.
"""The Perbup's return per fiscal year: the premiums the regency paid against the benefits BPJS TK
paid to families, the families and children reached, the cases by type, per funding source,
kecamatan, occupation and desil; and the deaths and accidents expected from age-specific rates
against those reported.

    result = impact(2027)                       # the whole deployment (the command line)
    result = impact(2027, codes=["52.03.07"])   # a user's wilayah (scope.codes_for)
    shown = conceal(result, small_cell=5)       # small counts hidden for roles without
                                                # VIEW_PERSONS (pimpinan)

A few aggregate queries, whatever the number of participants; the rest is Polars.

Definitions (every figure of one fiscal year Y, within `codes` when given):

- **premiums**: the money paid on the regency-sponsored bills of Y (every state but BATAL) for
  the months it protected: the bill lines of the months its payments cover (a payment pays every
  participant's first month first, and a month counts once paid in full, as the coverage ledger
  reads it, `billing.ledger.paid_months`), less the lines refunded (claimed back from BPJS after
  a death or a removal). A partly paid month is not counted. Scoped by the participation's desa.
  Self-payers' own premiums are unknown to Lindung and excluded: their source (`mandiri`) has no
  premiums (None).
- **benefits**: the amount paid (`Claim.paid_amount`) of the DIBAYAR claims of Y, every source
  (self-payers' too). **ratio** = benefits of claims paid for sponsored workers (the claim's
  funding source is not `mandiri` nor unknown) / premiums, rounded to 2; None when premiums are
  0. Each breakdown's ratio is computed the same way within its row.
- **families**: distinct workers with a paid claim (one family per worker).
- **children**: per paid claim of a kind that carries the scholarship (jkm, jkk-death,
  jkk-disability) whose amount lines hold a scholarship line, its heirs with a school level,
  at most two (the scholarship's limit); summed.
- **cases**: claims of Y in any state; **paid_cases**: those DIBAYAR.
- **expected**: participant-years per age band (age on 1 July of Y, from `Worker.birth_date`) of
  the sponsored participations: the paid months defined above (the months the regency bought
  protection for), divided by 12; times `rules.current().rates` (per 1.000 participant-years)
  gives the expected deaths and accidents. The actual ones are the reported events
  (`claims.Event`) of Y of workers with a sponsored participation that year, by kind. The rates
  are marked UNVERIFIED (`rates_verified`) until confirmed.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from lindung import bulk
from lindung.billing import ledger
from lindung.billing.models import Bill, BillLine, BillState
from lindung.billing.queries import region_names, source_labels
from lindung.claims import rules
from lindung.claims.models import Claim, ClaimKind, ClaimState, Event, EventKind, Heir, Relation
from lindung.enrollment.models import Participation
from lindung.regions import scope
from lindung.registry.models import Occupation, Worker
from lindung.rules.national import SELF_PAID

UNKNOWN = "unknown"  # the key of a row whose source, occupation or desil is not known
SCHOLARSHIP_KINDS = frozenset({ClaimKind.JKM, ClaimKind.JKK_DEATH, ClaimKind.JKK_DISABILITY})
SCHOLARSHIP_WORDS = ("scholarship", "beasiswa")  # an amount line's label, either language
MAX_SCHOLARSHIP_CHILDREN = 2
BREAKDOWNS = ("by_source", "by_kecamatan", "by_occupation", "by_desil")
DIMENSIONS = {
    "by_source": "source",
    "by_kecamatan": "kecamatan_id",
    "by_occupation": "occupation",
    "by_desil": "desil",
}
ROW_COUNTS = ("families", "children", "cases", "paid_cases")
TYPE_COUNTS = ("families", "cases", "paid_cases")

MONTHS = {"bill_id": pl.Int64, "paid": pl.Int64, "month": pl.Date, "total": pl.Int64}
LINES = {
    "bill_id": pl.Int64,
    "month": pl.Date,
    "source": pl.String,
    "kecamatan_id": pl.String,
    "occupation": pl.String,
    "desil": pl.Int64,
    "band": pl.Int64,
    "amount": pl.Int64,
    "lines": pl.Int64,
}
CLAIMS = {
    "kind": pl.String,
    "state": pl.String,
    "source": pl.String,
    "kecamatan_id": pl.String,
    "worker_id": pl.Int64,
    "paid_amount": pl.Int64,
    "occupation": pl.String,
    "desil": pl.Int64,
    "children": pl.Int64,
}


# ---------------------------------------------------------------------------------------------
# Age bands


def mid_year(year: int) -> datetime.date:
    return datetime.date(year, 7, 1)


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((born.month, born.day) > (day.month, day.day))


def band_of(born: datetime.date | None, year: int, rates: Sequence[rules.Rate]) -> int:
    """The index of the rate band of a worker born on `born` (age on 1 July of `year`); -1
    when no band holds that age."""
    if born is None:
        return -1
    age = age_on(born, mid_year(year))
    return next((i for i, r in enumerate(rates) if r.age_from <= age <= r.age_to), -1)


def _band_sql(column: str, year: int, rates: Sequence[rules.Rate]) -> str:
    """The same as `band_of` in SQL: age >= a on 1 July of Y exactly when born on or before
    1 July of Y - a. Dates are ours (ISO literals); no parameter."""

    def limit(years: int) -> str:
        return f"'{datetime.date(year - years, 7, 1).isoformat()}'"

    whens = " ".join(
        f"WHEN {column} <= {limit(r.age_from)} AND {column} > {limit(r.age_to + 1)} THEN {i}"
        for i, r in enumerate(rates)
    )
    return f"CASE {whens} ELSE -1 END" if whens else "-1"


def band_label(rate: rules.Rate) -> str:
    return f"{rate.age_from}+" if rate.age_to >= 100 else f"{rate.age_from}\N{EN DASH}{rate.age_to}"


# ---------------------------------------------------------------------------------------------
# The database


def _scope_sql(codes: list[str] | None, column: str) -> str:
    """` AND <column in codes>` as SQL text (read_frame binds integers only: the codes are
    checked region codes, inlined), or nothing for the whole deployment."""
    if codes is None:
        return ""
    where, params = scope.sql(codes, column)
    for value in params:
        where = where.replace("%s", "'" + value.replace("'", "") + "'", 1)
    return f" AND {where}"


def _live_bills(year: int) -> str:
    return f"b.fiscal_year = {int(year)} AND b.state <> '{BillState.BATAL}'"


def read_premiums(year: int, codes: list[str] | None, rates: Sequence[rules.Rate]) -> pl.DataFrame:
    """The paid, unrefunded bill lines of `year` summed per source, kecamatan, occupation, desil
    and age band (amount, lines): two aggregate queries."""
    lines, bills = BillLine._meta.db_table, Bill._meta.db_table
    parts, workers = Participation._meta.db_table, Worker._meta.db_table
    months = bulk.read_frame(
        f"SELECT l.bill_id, b.paid, l.month, SUM(l.amount) FROM {lines} l "  # noqa: S608
        f"JOIN {bills} b ON b.id = l.bill_id WHERE {_live_bills(year)} "
        f"GROUP BY l.bill_id, b.paid, l.month",
        MONTHS,
    )
    # the months each bill's payments cover: a prefix of its months (ledger.paid_months)
    covered = (
        months.sort("bill_id", "month")
        .with_columns(running=pl.col("total").cum_sum().over("bill_id"))
        .filter(pl.col("running") <= pl.col("paid"))
        .select("bill_id", "month")
    )
    band = _band_sql("w.birth_date", year, rates)
    frame = bulk.read_frame(
        f"SELECT l.bill_id, l.month, b.source, p.kecamatan_id, w.occupation, w.desil, "  # noqa: S608
        f"{band}, SUM(l.amount), COUNT(*) FROM {lines} l "
        f"JOIN {bills} b ON b.id = l.bill_id "
        f"JOIN {parts} p ON p.id = l.participation_id "
        f"JOIN {workers} w ON w.id = p.worker_id "
        f"WHERE {_live_bills(year)} AND l.refunded = {ledger.sql_false()}"
        f"{_scope_sql(codes, 'p.desa_id')} "
        f"GROUP BY l.bill_id, l.month, b.source, p.kecamatan_id, w.occupation, w.desil, {band}",
        LINES,
    )
    return frame.join(covered, on=["bill_id", "month"], how="semi").drop("bill_id", "month")


def is_scholarship(line: Any) -> bool:
    """An amount line of `rules.calculators.benefit` that pays a scholarship (a dict with a
    `scholarship` flag, else its label, in English or Indonesian, as stored)."""
    if isinstance(line, Mapping):
        if "scholarship" in line:
            return bool(line["scholarship"])
        label = line.get("label", "")
    elif isinstance(line, list | tuple) and line:
        label = line[0]
    else:
        return False
    return any(word in str(label).lower() for word in SCHOLARSHIP_WORDS)


def children_of(kind: str, breakdown: Any, heirs_at_school: int) -> int:
    """The children a paid claim gives a scholarship (see the module's docstring)."""
    if kind not in SCHOLARSHIP_KINDS:
        return 0
    lines = json.loads(breakdown) if isinstance(breakdown, str) else breakdown
    if not any(is_scholarship(line) for line in lines or ()):
        return 0
    return min(heirs_at_school, MAX_SCHOLARSHIP_CHILDREN)


def read_claims(year: int, codes: list[str] | None) -> pl.DataFrame:
    """The claims of `year` (a few hundred a year: one row each, two queries)."""
    claims = Claim.objects.filter(fiscal_year=year)
    if codes is not None:
        claims = claims.filter(scope.q(codes, "desa_id"))
    at_school = dict(
        Heir.objects.filter(claim__in=claims.filter(state=ClaimState.DIBAYAR))
        .filter(relation=Relation.CHILD)
        .exclude(school_level="")
        .values("claim_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("claim_id", "n")
    )
    rows = claims.values(
        "id",
        "kind",
        "state",
        "source",
        "kecamatan_id",
        "worker_id",
        "paid_amount",
        "breakdown",
        "worker__occupation",
        "worker__desil",
    ).order_by()
    return pl.DataFrame(
        [
            (
                row["kind"],
                row["state"],
                row["source"],
                row["kecamatan_id"],
                row["worker_id"],
                row["paid_amount"] or 0,
                row["worker__occupation"],
                row["worker__desil"],
                children_of(row["kind"], row["breakdown"], at_school.get(row["id"], 0))
                if row["state"] == ClaimState.DIBAYAR
                else 0,
            )
            for row in rows
        ],
        schema=CLAIMS,
        orient="row",
    )


def read_events(year: int, codes: list[str] | None, rates: Sequence[rules.Rate]) -> pl.DataFrame:
    """The year's reported deaths and accidents of sponsored participants: kind, band, count."""
    events = Event.objects.filter(fiscal_year=year, participation__isnull=False)
    if codes is not None:
        events = events.filter(scope.q(codes, "desa_id"))
    rows = (
        events.values("kind", "worker__birth_date")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("kind", "worker__birth_date", "n")
    )
    return pl.DataFrame(
        [(kind, band_of(born, year, rates), n) for kind, born, n in rows],
        schema={"kind": pl.String, "band": pl.Int64, "n": pl.Int64},
        orient="row",
    )


# ---------------------------------------------------------------------------------------------
# The pure steps


def ratio(benefits: int, premiums: int | None) -> float | None:
    return round(benefits / premiums, 2) if premiums else None


def _key(column: str) -> pl.Expr:
    """A breakdown's key as text: the unknown (null, empty) as `unknown`."""
    value = pl.col(column).cast(pl.String)
    return pl.when(value.is_null() | (value == "")).then(pl.lit(UNKNOWN)).otherwise(value)


def _claim_figures(claims: pl.DataFrame, sponsored: set[str]) -> pl.DataFrame:
    return claims.with_columns(
        paid=pl.col("state") == ClaimState.DIBAYAR,
        sponsored=pl.col("source").is_in(sorted(sponsored)),
    )


def _claim_aggregates() -> list[pl.Expr]:
    paid = pl.col("paid")
    return [
        pl.col("paid_amount").filter(paid).sum().alias("benefits"),
        pl.col("paid_amount").filter(paid & pl.col("sponsored")).sum().alias("sponsored_benefits"),
        pl.col("worker_id").filter(paid).n_unique().alias("families"),
        pl.col("children").filter(paid).sum().alias("children"),
        pl.len().alias("cases"),
        paid.sum().alias("paid_cases"),
    ]


def _rows(
    premiums: pl.DataFrame,
    claims: pl.DataFrame,
    column: str,
    labels: Mapping[str, str],
    order: Sequence[str],
    *,
    unknown_premiums: Iterable[str] = (),
) -> dict[str, dict[str, Any]]:
    """One breakdown: per key, its premiums, benefits, ratio, families, children and cases."""
    paid = premiums.group_by(key=_key(column)).agg(pl.col("amount").sum().alias("premiums"))
    claimed = claims.group_by(key=_key(column)).agg(_claim_aggregates())
    merged = paid.join(claimed, on="key", how="full", coalesce=True).fill_null(0)
    found = {str(row["key"]): row for row in merged.iter_rows(named=True)}
    keys = [k for k in order if k in found] + sorted(k for k in found if k not in order)
    no_premiums = set(unknown_premiums)
    result: dict[str, dict[str, Any]] = {}
    for key in keys:
        row = found[key]
        money = None if key in no_premiums and not row["premiums"] else int(row["premiums"])
        result[key] = {
            "label": str(labels.get(key, key)),
            "premiums": money,
            "benefits": int(row["benefits"]),
            "ratio": ratio(int(row["sponsored_benefits"]), money),
            "families": int(row["families"]),
            "children": int(row["children"]),
            "cases": int(row["cases"]),
            "paid_cases": int(row["paid_cases"]),
        }
    return result


def _by_type(claims: pl.DataFrame) -> dict[str, dict[str, Any]]:
    grouped = claims.group_by("kind").agg(_claim_aggregates())
    found = {str(row["kind"]): row for row in grouped.iter_rows(named=True)}
    return {
        kind: {
            "label": str(label),
            "cases": int(found[kind]["cases"]) if kind in found else 0,
            "paid_cases": int(found[kind]["paid_cases"]) if kind in found else 0,
            "benefits": int(found[kind]["benefits"]) if kind in found else 0,
            "families": int(found[kind]["families"]) if kind in found else 0,
        }
        for kind, label in ClaimKind.choices
    }


def expected_events(
    premiums: pl.DataFrame, events: pl.DataFrame, rates: Sequence[rules.Rate], *, verified: bool
) -> dict[str, Any]:
    """Participant-years per band times the rates, against the reported events."""
    months = dict(premiums.group_by("band").agg(pl.col("lines").sum()).iter_rows())
    actual = {
        (str(kind), int(band)): int(n)
        for kind, band, n in events.group_by("kind", "band").agg(pl.col("n").sum()).iter_rows()
    }
    bands: list[dict[str, Any]] = []
    deaths = accidents = 0.0
    for i, rate in enumerate(rates):
        years = int(months.get(i, 0)) / 12
        deaths += years * rate.deaths / 1000
        accidents += years * rate.accidents / 1000
        bands.append(
            {
                "band": band_label(rate),
                "age_from": rate.age_from,
                "age_to": rate.age_to,
                "participant_years": round(years, 2),
                "death_rate": rate.deaths,
                "accident_rate": rate.accidents,
                "expected_deaths": round(years * rate.deaths / 1000, 2),
                "expected_accidents": round(years * rate.accidents / 1000, 2),
                "actual_deaths": actual.get((EventKind.DEATH, i), 0),
                "actual_accidents": actual.get((EventKind.ACCIDENT, i), 0),
            }
        )
    outside = int(months.get(-1, 0)) / 12
    return {
        "rates_verified": verified,
        "note": "" if verified else "UNVERIFIED rates",
        "participant_years": round(sum(int(n) for n in months.values()) / 12, 2),
        "participant_years_without_rate": round(outside, 2),
        "deaths": round(deaths, 2),
        "accidents": round(accidents, 2),
        "actual_deaths": sum(n for (kind, _b), n in actual.items() if kind == EventKind.DEATH),
        "actual_accidents": sum(
            n for (kind, _b), n in actual.items() if kind == EventKind.ACCIDENT
        ),
        "bands": bands,
    }


def compute(
    year: int,
    premiums: pl.DataFrame,
    claims: pl.DataFrame,
    events: pl.DataFrame,
    claim_rules: rules.ClaimRules,
    *,
    sources: Mapping[str, str],
    kecamatan: Mapping[str, str],
) -> dict[str, Any]:
    """The impact of `year` from the frames (see the module's docstring). Pure.

    `sources`: the sponsored funding sources (code → label, the self-payers' excluded);
    `kecamatan`: names of the kecamatan codes."""
    sponsored = set(sources) | set(premiums["source"].unique().to_list())
    sponsored.discard(SELF_PAID)
    claims = _claim_figures(claims, sponsored)
    paid = claims.filter(pl.col("paid"))
    total_premiums = int(premiums["amount"].sum() or 0)
    benefits = int(paid["paid_amount"].sum() or 0)
    sponsored_benefits = int(paid.filter(pl.col("sponsored"))["paid_amount"].sum() or 0)
    source_names = {**sources, SELF_PAID: _("Self-paying (mandiri)"), UNKNOWN: _("Unknown")}
    occupations = {str(k): str(v) for k, v in Occupation.choices} | {UNKNOWN: _("Unknown")}
    desil = {str(d): _("Desil %(n)s") % {"n": d} for d in range(1, 11)}
    desil[UNKNOWN] = _("Desil unknown")
    by_type = _by_type(claims)
    return {
        "year": year,
        "premiums": total_premiums,
        "benefits": benefits,
        "ratio": ratio(sponsored_benefits, total_premiums),
        "families": int(paid["worker_id"].n_unique()),
        "children": int(paid["children"].sum() or 0),
        "by_source": _rows(
            premiums,
            claims,
            "source",
            source_names,
            [*sources, SELF_PAID, UNKNOWN],
            unknown_premiums=[SELF_PAID, UNKNOWN],
        ),
        "by_type": by_type,
        "by_kecamatan": _rows(
            premiums,
            claims,
            "kecamatan_id",
            {**kecamatan, UNKNOWN: _("Unknown")},
            sorted(kecamatan),
        ),
        "by_occupation": _rows(premiums, claims, "occupation", occupations, list(occupations)),
        "by_desil": _rows(premiums, claims, "desil", desil, list(desil)),
        "cases": int(claims.height),
        "paid_cases": int(paid.height),
        "sponsored_benefits": sponsored_benefits,
        "expected": expected_events(
            premiums, events, claim_rules.rates, verified=claim_rules.rates_verified
        ),
        "rates_verified": claim_rules.rates_verified,
    }


def impact(year: int, codes: list[str] | None = None) -> dict[str, Any]:
    """The impact of fiscal year `year` within `codes` (None: the whole deployment)."""
    claim_rules = rules.current()
    premiums = read_premiums(year, codes, claim_rules.rates)
    claims = read_claims(year, codes)
    events = read_events(year, codes, claim_rules.rates)
    keys = set(premiums["kecamatan_id"].drop_nulls().to_list())
    keys |= set(claims["kecamatan_id"].drop_nulls().to_list())
    return compute(
        year,
        premiums,
        claims,
        events,
        claim_rules,
        sources=source_labels(),
        kecamatan=region_names(keys),
    )


CACHE_SECONDS = 600


def _stamp(year: int) -> str:
    """What the year's figures depend on that changes when money or claims move: a few
    aggregate reads on indexed columns (bills, claims and events of the year)."""
    bills = Bill.objects.filter(fiscal_year=year).aggregate(
        n=Count("id"), amount=Sum("amount"), paid=Sum("paid"), refunded=Sum("refunded")
    )
    claims = Claim.objects.filter(fiscal_year=year).aggregate(
        n=Count("id"),
        t=Max("updated_at"),
        paid=Sum("paid_amount"),
        settled=Count("id", filter=Q(state=ClaimState.DIBAYAR)),
    )
    events = Event.objects.filter(fiscal_year=year).aggregate(n=Count("id"))
    return repr(
        (sorted(bills.items()), sorted(claims.items()), events["n"], rules.current().version)
    )


def cached_impact(year: int, codes: list[str] | None = None) -> dict[str, Any]:
    """`impact`, kept for ten minutes per year and wilayah while the year's bills, payments,
    refunds, claims and events stay as they were (the pages, the dashboard's section and the
    API ask often; reading every paid bill line each time costs seconds at a province's
    scale). The command line computes afresh."""
    area = "all" if codes is None else ",".join(sorted(codes))
    key = "claims-impact-" + hashlib.sha256(f"{year}|{area}".encode()).hexdigest()
    stamp = _stamp(year)
    found = cache.get(key)
    if isinstance(found, tuple) and found[0] == stamp:
        return dict(found[1])
    result = impact(year, codes)
    cache.set(key, (stamp, result), CACHE_SECONDS)
    return result


def years() -> list[int]:
    """Fiscal years with a bill or a claim, newest first."""
    found = set(Bill.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    found |= set(Claim.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    return sorted(found, reverse=True)


# ---------------------------------------------------------------------------------------------
# Small cells


def hidden_cells(
    cells: Mapping[Any, int], groups: Sequence[tuple[Any, Sequence[Any]]], small: int
) -> set[Any]:
    """The counts to hide from a role that sees no persons: those from 1 to `small` - 1, and
    enough companions that none comes back as a shown total less the others (for each group,
    a total and the parts that add up to it: either no part is hidden, or at least two holding
    at least `small` together; a hidden total hides every non-zero part). Zeros are shown."""
    hidden = {key for key, value in cells.items() if 0 < value < small}
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            nonzero = [p for p in parts if cells.get(p, 0) > 0]
            if total in hidden:
                hide = nonzero
            else:
                hide = [p for p in nonzero if p in hidden]
                shown = sorted((cells[p], i) for i, p in enumerate(nonzero) if p not in hidden)
                while hide and not (len(hide) >= 2 and sum(cells[p] for p in hide) >= small):
                    if not shown:
                        hide.append(total)
                        break
                    hide.append(nonzero[shown.pop(0)[1]])
            for key in hide:
                if key not in hidden:
                    hidden.add(key)
                    changed = True
    return hidden


def mark(small: int) -> str:
    return f"< {small}"


def conceal(result: Mapping[str, Any], small_cell: int | None = None) -> dict[str, Any]:
    """A copy of `result` with the small counts (and those that would give them away) replaced
    by "< 5", and the benefits and ratio of a row whose paid cases are hidden as well: what a
    role without VIEW_PERSONS may see. Premiums are money of many participants: shown."""
    small = rules.current().small_cell if small_cell is None else small_cell
    cells: dict[tuple[str, str, str], int] = {}
    groups: list[tuple[Any, list[Any]]] = []
    for measure in ROW_COUNTS:
        cells[("", "", measure)] = int(result.get(measure, 0))
    for table in BREAKDOWNS:
        for key, row in result[table].items():
            for measure in ROW_COUNTS:
                cells[(table, key, measure)] = int(row[measure])
        groups.extend((("", "", m), [(table, k, m) for k in result[table]]) for m in ROW_COUNTS)
    for key, row in result["by_type"].items():
        for measure in TYPE_COUNTS:
            cells[("by_type", key, measure)] = int(row[measure])
    groups.extend(
        (("", "", m), [("by_type", k, m) for k in result["by_type"]])
        for m in ("cases", "paid_cases")
    )
    expected = result["expected"]
    for kind in ("actual_deaths", "actual_accidents"):
        cells[("expected", "", kind)] = int(expected[kind])
        parts = [("band", str(i), kind) for i in range(len(expected["bands"]))]
        for i, band in enumerate(expected["bands"]):
            cells[("band", str(i), kind)] = int(band[kind])
        groups.append((("expected", "", kind), parts))
    hidden = hidden_cells(cells, groups, small)
    sign = mark(small)

    def shown(
        table: str, key: str, row: Mapping[str, Any], measures: Sequence[str]
    ) -> dict[str, Any]:
        out = dict(row)
        for measure in measures:
            if (table, key, measure) in hidden:
                out[measure] = sign
        if (table, key, "paid_cases") in hidden or (table, key, "families") in hidden:
            out["benefits"] = sign
            if "ratio" in out:
                out["ratio"] = sign
        return out

    concealed = shown("", "", result, ROW_COUNTS)
    for table in BREAKDOWNS:
        concealed[table] = {k: shown(table, k, row, ROW_COUNTS) for k, row in result[table].items()}
    concealed["by_type"] = {
        k: shown("by_type", k, row, TYPE_COUNTS) for k, row in result["by_type"].items()
    }
    if concealed["benefits"] == sign:
        concealed["sponsored_benefits"] = sign
    bands = [
        shown("band", str(i), band, ("actual_deaths", "actual_accidents"))
        for i, band in enumerate(expected["bands"])
    ]
    concealed["expected"] = shown(
        "expected", "", expected, ("actual_deaths", "actual_accidents")
    ) | {"bands": bands}
    concealed["hidden"] = bool(hidden)
    return concealed
