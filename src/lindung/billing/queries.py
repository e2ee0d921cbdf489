"""Reads of billing and coverage for the pages and the API, always within the user's wilayah.

sees_bills(user) / visible_bills(user)   bills, for roles that see persons and the whole
                                         deployment (a bill holds a whole wadah's workers)
bill_months(bill)                        months of a bill: participants, amount, paid
bill_participants(bill)                  its participations, in area and name order
standing_of(ids, on=…)                   each participation's coverage on a date
coverage_codes(user)                     the codes to count coverage in (None: everything)
coverage_tables(counts, …)               the coverage page's counts, small ones hidden
attention(codes, on=…)                   workers in grace, and lapsed this month
worker_coverage(worker)                  the worker page's section: paid periods, today
"""

import datetime
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lindung.billing import ledger
from lindung.billing.coverage import KEYS, per_desa
from lindung.billing.ledger import Status
from lindung.billing.models import Bill, BillLine, PaidPeriod
from lindung.enrollment.models import EndReason, Participation
from lindung.formats import month_name
from lindung.regions import scope
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.roles import Capability
from lindung.rules.national import SELF_PAID
from lindung.rules.policy import all_source_labels

STATUS_LABELS: dict[str, Promise] = {
    Status.PROTECTED: _("protected"),
    Status.GRACE: _("in grace"),
    Status.LAPSED: _("lapsed"),
    Status.ENDED: _("ended"),
    Status.NOT_YET: _("not yet protected"),
}


# --- bills ---------------------------------------------------------------------------------------
def sees_bills(user: Any) -> bool:
    """Bills name the workers of a whole wadah: only roles that see persons and whole
    kabupaten/kota open them (those of their kabupaten/kota's wadah)."""
    return bool(user.can(Capability.VIEW_PERSONS)) and scope.is_whole_kabupaten(
        scope.codes_for(user)
    )


def _sees_whole_deployment(user: Any) -> bool:
    """Remembered on the user object, which lives for one request (as `scope.codes_for`)."""
    cached: bool | None = getattr(user, "_lindung_whole_deployment", None)
    if cached is None:
        cached = scope.is_whole_deployment(scope.codes_for(user))
        user._lindung_whole_deployment = cached
    return cached


def visible_bills(user: Any) -> QuerySet[Bill]:
    if not sees_bills(user):
        return Bill.objects.none()
    bills = Bill.objects.select_related("wadah")
    if _sees_whole_deployment(user):
        return bills
    return bills.filter(wadah__kabupaten__in=scope.kabupaten_for(user))


def source_labels(*, self_paying: bool = False) -> dict[str, str]:
    """Funding source code → label in the active policies (and the self-payers, whom coverage
    counts but no bill names)."""
    labels = {code: label for code, label in all_source_labels().items() if code != SELF_PAID}
    if self_paying:
        labels[SELF_PAID] = str(_("Self-paying (mandiri)"))
    return labels


DASH = "\N{EN DASH}"


def period_label(start: datetime.date, months: int) -> str:
    """ "Januari\N{EN DASH}Juni 2027"; one month: "Maret 2027"."""
    last = ledger.add_months(start, months - 1)
    if months == 1:
        return f"{month_name(start.month)} {start.year}"
    if last.year != start.year:
        return f"{month_name(start.month)} {start.year}{DASH}{month_name(last.month)} {last.year}"
    return f"{month_name(start.month)}{DASH}{month_name(last.month)} {start.year}"


def bill_totals(bills: QuerySet[Bill]) -> dict[str, int]:
    got = bills.aggregate(
        participants=Sum("participants"), amount=Sum("amount"), paid=Sum("paid"), n=Count("id")
    )
    return {key: int(value or 0) for key, value in got.items()}


def bill_months(bill: Bill) -> list[dict[str, Any]]:
    """The bill's months in order: participants and amount (refunded lines left out), and
    whether its payments cover the month (`ledger.paid_months`)."""
    covered = ledger.paid_months(bill)
    rows = (
        BillLine.objects.filter(bill=bill)
        .values("month")
        .annotate(
            participants=Count("participation_id", filter=Q(refunded=False), distinct=True),
            amount=Sum("amount", filter=Q(refunded=False)),
            refunded=Count("id", filter=Q(refunded=True)),
        )
        .order_by("month")
    )
    return [
        {
            "month": row["month"],
            "label": f"{month_name(row['month'].month)} {row['month'].year}",
            "participants": row["participants"],
            "amount": int(row["amount"] or 0),
            "refunded": row["refunded"],
            "paid": index < covered,
        }
        for index, row in enumerate(rows)
    ]


def bill_participants(bill: Bill) -> QuerySet[Participation]:
    ids = BillLine.objects.filter(bill=bill).values("participation_id")
    return Participation.objects.filter(pk__in=ids).order_by(
        "kecamatan_id", "desa_id", "name", "pk"
    )


def standing_of(ids: list[int], *, on: datetime.date) -> dict[int, dict[str, Any]]:
    """Each participation's row of `ledger.standing` on `on` (those of another fiscal year, or
    not registered by then, are missing)."""
    if not ids:
        return {}
    frame = ledger.standing(on=on, participation_ids=ids)
    return {row["participation_id"]: row for row in frame.iter_rows(named=True)}


def region_names(codes: Iterable[str]) -> dict[str, str]:
    return {r.code: r.display_name for r in Region.objects.filter(code__in=set(codes))}


# --- coverage counts -----------------------------------------------------------------------------
SMALL_COUNT = 5  # counts from 1 to 4 are hidden from roles that see no persons
HIDDEN_MARK = "x"
K = TypeVar("K", bound=Hashable)


def coverage_codes(user: Any) -> list[str] | None:
    """The wilayah codes to count coverage in: None for the whole deployment (no filter),
    otherwise the user's codes ([] sees nothing)."""
    return None if _sees_whole_deployment(user) else scope.codes_for(user)


def hidden_cells(cells: Mapping[K, int], groups: Sequence[tuple[K, Sequence[K]]]) -> set[K]:
    """The counts to hide from a role that sees no persons: those from 1 to 4, and enough
    companions that none comes back as a shown total less the others. For each group (a total
    and the parts that add up to it): with the total shown, either no part is hidden or at
    least two are, holding at least 5 together (else the smallest shown part is hidden too; the
    total as well when none is left); with the total hidden, every non-zero part is."""
    hidden = {key for key, value in cells.items() if 0 < value < SMALL_COUNT}
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            for key in _to_hide(cells, total, parts, hidden):
                if key not in hidden:
                    hidden.add(key)
                    changed = True
    return hidden


def _to_hide(cells: Mapping[K, int], total: K, parts: Sequence[K], hidden: set[K]) -> list[K]:
    nonzero = [part for part in parts if cells.get(part, 0) > 0]
    if total in hidden:
        return nonzero
    hide = [part for part in nonzero if part in hidden]
    shown = sorted(
        ((cells[part], n) for n, part in enumerate(nonzero) if part not in hidden),
        reverse=True,
    )
    while hide and not (len(hide) >= 2 and sum(cells[p] for p in hide) >= SMALL_COUNT):
        if not shown:
            return [*hide, total]
        hide.append(nonzero[shown.pop()[1]])
    return hide


@dataclass(frozen=True)
class Figure:
    value: int
    hidden: bool = False


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    figures: list[Figure]


def _cells(
    counts: Mapping[str, Any], desa: Mapping[str, Mapping[str, int]], kecamatan: str
) -> tuple[dict[tuple[str, str, str], int], list[tuple[Any, list[Any]]]]:
    """Every count of the page as a cell (table, row, status) and the groups that add up."""
    cells: dict[tuple[str, str, str], int] = {("all", "", k): int(counts[k]) for k in KEYS}
    for table, rows in (("source", counts["by_source"]), ("kecamatan", counts["by_kecamatan"])):
        cells |= {(table, key, k): int(row[k]) for key, row in rows.items() for k in KEYS}
    cells |= {("desa", key, k): int(row[k]) for key, row in desa.items() for k in KEYS}
    groups: list[tuple[Any, list[Any]]] = []
    for k in KEYS:
        groups.append((("all", "", k), [("source", s, k) for s in counts["by_source"]]))
        groups.append((("all", "", k), [("kecamatan", c, k) for c in counts["by_kecamatan"]]))
        if desa:
            groups.append((("kecamatan", kecamatan, k), [("desa", d, k) for d in desa]))
    return cells, groups


def coverage_tables(
    counts: Mapping[str, Any],
    *,
    desa: Mapping[str, Mapping[str, int]] | None = None,
    kecamatan: str = "",
    hide_small: bool,
) -> dict[str, Any]:
    """The coverage page's tables (totals, per source, per kecamatan, per desa of the chosen
    kecamatan) as figures, the small ones hidden for roles that see no persons."""
    desa = desa or {}
    cells, groups = _cells(counts, desa, kecamatan)
    hidden = hidden_cells(cells, groups) if hide_small else set()
    labels = source_labels(self_paying=True)
    names = region_names([*counts["by_kecamatan"], *desa])

    def figures(table: str, key: str) -> list[Figure]:
        return [Figure(cells.get((table, key, k), 0), (table, key, k) in hidden) for k in KEYS]

    def rows(table: str, keys: Iterable[str], label: Mapping[str, str]) -> list[CountRow]:
        return [CountRow(key, label.get(key, key), figures(table, key)) for key in keys]

    return {
        "totals": figures("all", ""),
        "by_source": rows("source", counts["by_source"], labels),
        "by_kecamatan": rows("kecamatan", counts["by_kecamatan"], names),
        "by_desa": rows("desa", sorted(desa), names),
        "any_hidden": bool(hidden),
        "mark": HIDDEN_MARK,
    }


def coverage_json(counts: Mapping[str, Any], *, hide_small: bool) -> dict[str, Any]:
    """`coverage.counts` with every hidden count as None (the API, for roles without
    VIEW_PERSONS)."""
    cells, groups = _cells(counts, {}, "")
    hidden = hidden_cells(cells, groups) if hide_small else set()

    def shown(table: str, key: str, k: str) -> int | None:
        return None if (table, key, k) in hidden else cells[(table, key, k)]

    return {
        "date": counts["date"],
        **{k: shown("all", "", k) for k in KEYS},
        **{
            name: {key: {k: shown(table, key, k) for k in KEYS} for key in counts[name]}
            for table, name in (("source", "by_source"), ("kecamatan", "by_kecamatan"))
        },
    }


def desa_counts(on: datetime.date, codes: list[str]) -> dict[str, dict[str, int]]:
    """Protected, in grace and lapsed per desa within `codes` (one kecamatan, or the user's
    desa within it)."""
    frame = per_desa(on, codes)
    if frame.is_empty():
        return {}
    grouped = frame.group_by("desa_id").agg(*(pl.col(k).sum() for k in KEYS))
    return {row["desa_id"]: {k: int(row[k]) for k in KEYS} for row in grouped.iter_rows(named=True)}


def kecamatan_codes(user_codes: list[str] | None, kecamatan: str) -> list[str]:
    """The codes to count the desa of `kecamatan` in: the kecamatan itself when the user sees
    all of it, else the user's areas inside it (none when it lies outside)."""
    if user_codes is None or scope.contains(user_codes, kecamatan):
        return [kecamatan]
    return [code for code in user_codes if scope.contains([kecamatan], code)]


# --- workers that need attention -----------------------------------------------------------------
def attention(codes: list[str] | None, *, on: datetime.date) -> pl.DataFrame:
    """Participations in grace on `on`, then those that lapsed in `on`'s month (their first day
    unprotected, the day after the grace, lies in it), in area order: participation_id,
    desa_id, status, effective_from, paid_until, grace_until, delayed_bill_id, lapsed_on."""
    frame = ledger.standing(on=on, codes=codes)
    last_day = (
        pl.when(pl.col("end_reason") == EndReason.LAPSED)
        .then(pl.col("ended_on"))
        .otherwise(pl.col("grace_until"))
    )
    frame = frame.with_columns(lapsed_on=last_day + pl.duration(days=1))
    this_month = pl.col("lapsed_on").is_between(pl.lit(on.replace(day=1)), pl.lit(on))
    wanted = (pl.col("status") == Status.GRACE) | ((pl.col("status") == Status.LAPSED) & this_month)
    return (
        frame.filter(wanted)
        .with_columns(order=pl.col("status") != Status.GRACE)
        .sort("order", "kecamatan_id", "desa_id", "participation_id")
        .select(
            "participation_id",
            "desa_id",
            "status",
            "effective_from",
            "paid_until",
            "grace_until",
            "delayed_bill_id",
            "lapsed_on",
        )
    )


def attention_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A page of `attention` with the names, NIK, desa and the reason."""
    rows = frame.to_dicts()
    ids = [row["participation_id"] for row in rows]
    people = {
        p.pk: p
        for p in Participation.objects.filter(pk__in=ids).only(
            "pk", "worker_id", "name", "nik", "source", "reason", "end_reason"
        )
    }
    delayed = {row["delayed_bill_id"] for row in rows if row["delayed_bill_id"]}
    reasons = dict(Bill.objects.filter(pk__in=delayed).values_list("pk", "delay_reason"))
    desa = region_names(row["desa_id"] for row in rows)
    unpaid = _("contributions not paid")
    out = []
    for row in rows:
        person = people.get(row["participation_id"])
        if person is None:
            continue
        paid_until = row["paid_until"]
        if paid_until is not None and row["effective_from"] and paid_until < row["effective_from"]:
            paid_until = None
        if row["delayed_bill_id"]:
            reason: str | Promise = reasons.get(row["delayed_bill_id"]) or unpaid
        elif row["status"] == Status.LAPSED and person.end_reason == EndReason.LAPSED:
            reason = person.reason or unpaid
        else:
            reason = unpaid
        out.append(
            {
                **row,
                "participation": person,
                "desa": desa.get(row["desa_id"], row["desa_id"]),
                "paid_until": paid_until,
                "late_funds": bool(row["delayed_bill_id"]),
                "reason": reason,
                "status_label": STATUS_LABELS.get(row["status"], row["status"]),
            }
        )
    return out


# --- the worker page -----------------------------------------------------------------------------
WORKER_YEARS = 3  # the latest fiscal years shown on the worker page


def worker_coverage(worker: Worker, *, on: datetime.date | None = None) -> dict[str, Any]:
    """The worker's sponsored coverage: per participation of the latest years its paid periods
    (from, to, the bill, who paid) and, for this year's, its standing today."""
    day = on or timezone.localdate()
    participations = list(
        Participation.objects.filter(worker_id=worker.pk, effective_from__isnull=False).order_by(
            "-fiscal_year", "-pk"
        )[: WORKER_YEARS * 2]
    )
    if not participations:
        return {"coverage": []}
    ids = [p.pk for p in participations]
    periods: dict[int, list[PaidPeriod]] = {pk: [] for pk in ids}
    for period in (
        PaidPeriod.objects.filter(participation_id__in=ids)
        .select_related("bill")
        .order_by("paid_from")
    ):
        periods[period.participation_id].append(period)
    standing = standing_of([p.pk for p in participations if p.fiscal_year == day.year], on=day)
    late = {row["delayed_bill_id"] for row in standing.values() if row["delayed_bill_id"]}
    reasons = (
        dict(Bill.objects.filter(pk__in=late).values_list("pk", "delay_reason")) if late else {}
    )
    labels = source_labels()
    coverage = []
    for p in participations:
        row = standing.get(p.pk)
        status = row["status"] if row else ""
        until = None
        if row:
            until = row["protected_until"] if status == Status.PROTECTED else row["paid_until"]
            if until is not None and until < p.effective_from:
                until = None
        coverage.append(
            {
                "participation": p,
                "payer": labels.get(p.source, p.source.upper()),
                "periods": periods[p.pk],
                "status": status,
                "status_label": STATUS_LABELS.get(status, ""),
                "until": until,
                "grace_until": row["grace_until"] if row and status == Status.GRACE else None,
                "late_funds": reasons.get(row["delayed_bill_id"], "") if row else "",
            }
        )
    return {"coverage": coverage, "coverage_on": day}
