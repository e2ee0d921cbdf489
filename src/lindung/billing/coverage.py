"""Who is protected on a date: counts for the command line, the pages and the dashboard, and
one person's answer for the public check.

    counts(on=date, codes=None)        {date, protected, in_grace, lapsed, by_source, …}
    per_desa(on=date)                  frame: desa, kecamatan, source, protected, in_grace, lapsed
    person(nik=…, birth_date=…, on=…)  Cover | None: protected?, until, programs, who pays

Sponsored participations come from the ledger, summed in its groups (`groups.statuses`);
workers who pay themselves (`registry.SelfPayment` with a known "paid until") count under
source `mandiri`.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import polars as pl

from lindung import bulk
from lindung.billing import groups, ledger, states
from lindung.billing.ledger import Status
from lindung.billing.models import BillLine, PaidPeriod
from lindung.enrollment.models import Participation
from lindung.regions import scope
from lindung.registry.models import SelfPayment, Worker
from lindung.rules.models import PolicyVersion
from lindung.rules.national import SELF_PAID
from lindung.rules.policy import Policy

COUNTED = (Status.PROTECTED, Status.GRACE, Status.LAPSED)
KEYS = ("protected", "in_grace", "lapsed")


def self_payers(on: datetime.date, codes: list[str] | None = None) -> pl.DataFrame:
    """Self-payers protected on `on` (their "paid until" known and not before it, their
    "since" not after it): worker_id, desa_id, kecamatan_id, source `mandiri`, status
    protected. Also read by the dashboard's rebuild."""
    sp = SelfPayment._meta.db_table
    workers = Worker._meta.db_table
    day = on.isoformat()  # a date: inlined (read_frame binds integers only)
    frame = bulk.read_frame(
        f"SELECT s.worker_id, w.desa_id, w.kecamatan_id FROM {sp} s JOIN {workers} w "  # noqa: S608
        f"ON w.id = s.worker_id WHERE s.until IS NOT NULL AND s.until >= '{day}' "
        f"AND (s.since IS NULL OR s.since <= '{day}')",
        {"worker_id": pl.Int64, "desa_id": pl.String, "kecamatan_id": pl.String},
    )
    if codes is not None:
        frame = frame.filter(scope.expr(codes, "desa_id"))
    return frame.with_columns(source=pl.lit(SELF_PAID), status=pl.lit(Status.PROTECTED)).filter(
        pl.col("desa_id").is_not_null()
    )


def statuses(on: datetime.date, codes: list[str] | None = None) -> pl.DataFrame:
    """Counted rows with their weight: desa_id, kecamatan_id, source, status, participants
    (the coverage groups of `on`'s year, and the protected self-payers one by one)."""
    frame = groups.statuses(on=on, codes=codes).filter(pl.col("status").is_in(COUNTED))
    cols = ["desa_id", "kecamatan_id", "source", "status", "participants"]
    own = self_payers(on, codes).with_columns(participants=pl.lit(1, pl.Int64))
    return pl.concat([frame.select(cols), own.select(cols)], how="vertical_relaxed")


def per_desa(on: datetime.date, codes: list[str] | None = None) -> pl.DataFrame:
    """Counts per desa, kecamatan and source: protected, in_grace, lapsed."""
    frame = statuses(on, codes)
    return (
        frame.group_by("desa_id", "kecamatan_id", "source")
        .agg(
            *(
                pl.col("participants").filter(pl.col("status") == status).sum().alias(key)
                for key, status in _pairs()
            )
        )
        .sort("desa_id", "source")
    )


def _pairs() -> list[tuple[str, str]]:
    return [("protected", Status.PROTECTED), ("in_grace", Status.GRACE), ("lapsed", Status.LAPSED)]


def _grouped(frame: pl.DataFrame, column: str) -> dict[str, dict[str, int]]:
    grouped = frame.group_by(column).agg(*(pl.col(k).sum() for k in KEYS)).sort(column)
    return {row[column]: {k: int(row[k]) for k in KEYS} for row in grouped.iter_rows(named=True)}


def counts(*, on: datetime.date, codes: list[str] | None = None) -> dict[str, Any]:
    """The `lindung coverage --json` object (a public contract): totals on `on`, per source
    and per kecamatan."""
    frame = per_desa(on, codes)
    totals = {k: int(frame[k].sum()) if frame.height else 0 for k in KEYS}
    return {
        "date": on.isoformat(),
        **totals,
        "by_source": _grouped(frame, "source"),
        "by_kecamatan": _grouped(frame, "kecamatan_id"),
    }


@dataclass(frozen=True)
class Cover:
    """What the public check may say about one person: nothing else."""

    protected: bool
    until: datetime.date | None  # the last protected day known (paid through)
    programs: tuple[str, ...]
    payer: str  # a funding source code: apbd, dbhcht, …, mandiri
    in_grace: bool = False


def person(*, nik: str, birth_date: datetime.date, on: datetime.date) -> Cover | None:
    """The answer for a NIK and birth date on `on`; None when the pair is unknown (a wrong
    birth date is the same as an unknown NIK). Protected until the end of the unbroken paid
    run that covers `on`.

    An unknown pair runs the same queries as a known one that is not protected (with a worker
    id that matches nothing), so the public check's response time does not tell them apart.
    A handful of small indexed queries and the ledger's rule in plain Python (`_one`): the
    check answers in milliseconds."""
    worker = Worker.objects.filter(nik=nik, birth_date=birth_date).only("pk").first()
    worker_id = worker.pk if worker is not None else 0
    parts: list[dict[str, Any]] = [
        dict(row)
        for row in Participation.objects.filter(
            worker_id=worker_id, fiscal_year=on.year, effective_from__isnull=False
        ).values("pk", "source", "effective_from", "ended_on", "end_reason")
    ]
    ids = [p["pk"] for p in parts] or [0]
    periods: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
    for pid, start, end in (
        PaidPeriod.objects.filter(participation_id__in=ids)
        .order_by("participation_id", "paid_from")
        .values_list("participation_id", "paid_from", "paid_to")
    ):
        periods.setdefault(pid, []).append((start, end))
    late = set(
        BillLine.objects.filter(
            participation_id__in=ids,
            refunded=False,
            bill__funds_delayed=True,
            bill__state__in=states.UNPAID,
        ).values_list("participation_id", "month")
    )
    programs = _programs()
    best: Cover | None = None
    for part in sorted(parts, key=lambda p: p["effective_from"]):
        status, until = _one(part, periods.get(part["pk"], []), late, on)
        cover = Cover(
            protected=status == Status.PROTECTED,
            until=until,
            programs=programs,
            payer=part["source"],
            in_grace=status == Status.GRACE,
        )
        if best is None or _rank(cover) > _rank(best):
            best = cover
    if best is not None and best.protected:
        return best
    own = SelfPayment.objects.filter(worker_id=worker_id).first()
    if worker is None:
        return None
    if (
        own is not None
        and own.until is not None
        and own.until >= on
        and (own.since is None or own.since <= on)
    ):
        return Cover(protected=True, until=own.until, programs=("JKK", "JKM"), payer=SELF_PAID)
    return best or Cover(protected=False, until=None, programs=(), payer="")


def _one(
    part: dict[str, Any],
    periods: list[tuple[datetime.date, datetime.date]],
    late: set[tuple[int, datetime.date]],
    on: datetime.date,
) -> tuple[str, datetime.date | None]:
    """One participation's status on `on` and the day it is paid until, by the rule of
    `ledger.with_status` (its tests compare the two)."""
    ended_on = part["ended_on"]
    capped = [
        (start, min(end, ended_on) if ended_on else end)
        for start, end in periods
        if ended_on is None or start <= ended_on
    ]
    if ended_on is not None and ended_on < on:
        return (Status.LAPSED if part["end_reason"] == "lapsed" else Status.ENDED), None
    if part["effective_from"] > on:
        return Status.NOT_YET, None
    covering = [end for start, end in capped if start <= on <= end]
    if covering:
        until = max(covering)
        for start, end in sorted(capped):  # the unbroken run on from the covering period
            if start <= until + datetime.timedelta(days=1) and end > until:
                until = end
        return Status.PROTECTED, until
    before = [end for _start, end in capped if end < on]
    last = max(before) if before else None
    unpaid = (last + datetime.timedelta(days=1)) if last else part["effective_from"]
    month = unpaid.replace(day=1)
    grace_until = ledger.add_months(month, ledger.GRACE_MONTHS) - datetime.timedelta(days=1)
    if (part["pk"], month) in late or on <= grace_until:
        return Status.GRACE, last
    return Status.LAPSED, last


def _programs() -> tuple[str, ...]:
    """The programs sponsored workers are registered for: the active policy's (one query)."""
    data = PolicyVersion.objects.order_by("-number").values_list("data", flat=True).first()
    programs = (data or {}).get("programs") if isinstance(data, dict) else None
    return tuple(programs) if programs else tuple(Policy.default(()).programs)


def _rank(cover: Cover) -> int:
    """Which of a person's participations of the year answers: protected, else in grace."""
    return 2 if cover.protected else 1 if cover.in_grace else 0
