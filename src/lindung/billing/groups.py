"""Coverage counted fast: the registered participations summed into `CoverageGroup` rows.

    rebuild(fiscal_years=None)      the groups written again from the ledger (seconds for a
                                    million participations; a background task after changes)
    mark_stale()                    a change to participations or the ledger (same transaction)
    fresh()                         rebuild first when stale (the caller wants exact figures)
    statuses(on=date, codes=None)   frame: the groups with their status on the date

What a participation's standing on a date depends on (area, source, wadah, effective date, end
and its reason, first and last paid day, the late-funds bill of the month after its last paid
day) does not depend on the date, so the groups are built once per change and any date is
counted from them: a few thousand rows for a million participations. A participation whose
paid periods have a gap keeps a group of its own and is counted from its periods
(`ledger.status_of`), exactly.
"""

import datetime
import time

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from lindung import bulk
from lindung.billing import ledger
from lindung.billing.models import Bill, CoverageGroup, CoverageState, PaidPeriod
from lindung.enrollment.models import Participation
from lindung.regions import scope

KEYS = [
    "fiscal_year",
    "source",
    "wadah_id",
    "kecamatan_id",
    "desa_id",
    "effective_from",
    "ended_on",
    "end_reason",
    "paid_from",
    "paid_until",
    "delayed_bill_id",
    "participation_id",
]
SCHEMA = {
    "fiscal_year": pl.Int32,
    "source": pl.String,
    "wadah_id": pl.Int64,
    "kecamatan_id": pl.String,
    "desa_id": pl.String,
    "effective_from": pl.Date,
    "ended_on": pl.Date,
    "end_reason": pl.String,
    "paid_from": pl.Date,
    "paid_until": pl.Date,
    "delayed_bill_id": pl.Int64,
    "participation_id": pl.Int64,
    "participants": pl.Int64,
}


def _state() -> CoverageState:
    return CoverageState.objects.get_or_create(pk=1)[0]


def mark_stale() -> None:
    """Called inside the transaction of a change that moves coverage (`signals`): the next
    reader rebuilds first (the dashboard's rebuild task, queued by the same change, is
    usually the one)."""
    if not CoverageState.objects.filter(pk=1, stale_since__isnull=True).update(
        stale_since=timezone.now()
    ):
        CoverageState.objects.get_or_create(pk=1, defaults={"stale_since": timezone.now()})


def is_stale() -> bool:
    state = CoverageState.objects.filter(pk=1).values_list("stale_since", "rebuilt_at").first()
    return state is None or state[0] is not None or state[1] is None


def fresh() -> None:
    """Rebuild when a change came since the last rebuild."""
    if is_stale():
        rebuild()


def _years() -> list[int]:
    return sorted(
        Participation.objects.filter(effective_from__isnull=False)
        .values_list("fiscal_year", flat=True)
        .distinct()
    )


def build(fiscal_year: int) -> pl.DataFrame:
    """The groups of one fiscal year (pure Polars over three reads)."""
    parts = Participation._meta.db_table
    periods = PaidPeriod._meta.db_table
    bills = Bill._meta.db_table
    year = int(fiscal_year)
    people = bulk.read_frame(
        f"SELECT id, wadah_id, source, kecamatan_id, desa_id, effective_from, ended_on, "  # noqa: S608
        f"end_reason FROM {parts} WHERE fiscal_year = {year} AND effective_from IS NOT NULL "
        f"AND state IN ('TERDAFTAR', 'BERAKHIR')",
        {
            "participation_id": pl.Int64,
            "wadah_id": pl.Int64,
            "source": pl.String,
            "kecamatan_id": pl.String,
            "desa_id": pl.String,
            "effective_from": pl.Date,
            "ended_on": pl.Date,
            "end_reason": pl.String,
        },
    )
    paid = bulk.read_frame(
        f"SELECT pp.participation_id, pp.paid_from, pp.paid_to FROM {periods} pp "  # noqa: S608
        f"JOIN {bills} b ON b.id = pp.bill_id WHERE b.fiscal_year = {year}",
        {"participation_id": pl.Int64, "paid_from": pl.Date, "paid_to": pl.Date},
    )
    delayed = ledger.delayed_lines(year)
    capped = (
        paid.join(people.select("participation_id", "ended_on"), on="participation_id")
        .with_columns(
            paid_to=pl.min_horizontal("paid_to", pl.col("ended_on").fill_null(ledger.date_max()))
        )
        .filter(pl.col("paid_from") <= pl.col("paid_to"))
    )
    one_day = pl.duration(days=1)
    summary = capped.group_by("participation_id").agg(
        paid_from=pl.col("paid_from").min(),
        paid_until=pl.col("paid_to").max(),
        days=((pl.col("paid_to") - pl.col("paid_from")).dt.total_days() + 1).sum(),
    )
    frame = people.join(summary, on="participation_id", how="left").with_columns(
        gap=(
            (pl.col("paid_until") - pl.col("paid_from")).dt.total_days() + 1 != pl.col("days")
        ).fill_null(False),
        unpaid_month=pl.coalesce(
            pl.col("paid_until") + one_day, pl.col("effective_from")
        ).dt.month_start(),
    )
    late = delayed.rename({"month": "unpaid_month", "bill_id": "delayed_bill_id"}).unique(
        ["participation_id", "unpaid_month"]
    )
    frame = frame.join(late, on=["participation_id", "unpaid_month"], how="left")
    frame = frame.with_columns(
        fiscal_year=pl.lit(year, pl.Int32),
        end_reason=pl.col("end_reason").fill_null(""),
        participation_id=pl.when("gap").then(pl.col("participation_id")),
    )
    return (
        frame.group_by(KEYS)
        .agg(participants=pl.len())
        .select(*KEYS, pl.col("participants").cast(pl.Int64))
    )


def rebuild(fiscal_years: list[int] | None = None) -> int:
    """Write the groups again (all years with registered participations, or those given) in
    one transaction; returns the participations counted."""
    started = time.perf_counter()
    begun = timezone.now()
    years = fiscal_years if fiscal_years is not None else _years()
    frames = [build(year) for year in years]
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=SCHEMA)
    with transaction.atomic():
        state = CoverageState.objects.select_for_update().get_or_create(pk=1)[0]
        table = CoverageGroup._meta.db_table
        with connection.cursor() as cursor:
            if fiscal_years is None:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            else:
                marks = ", ".join(["%s"] * len(years)) or "NULL"
                cursor.execute(f"DELETE FROM {table} WHERE fiscal_year IN ({marks})", years)  # noqa: S608
        bulk.insert_frame(table, frame)
        # A change committed while this rebuild read leaves the state stale for the next one.
        stale = state.stale_since is not None and state.stale_since > begun
        state.stale_since = state.stale_since if stale else None
        state.rebuilt_at = timezone.now()
        state.seconds = round(time.perf_counter() - started, 3)
        state.participations = int(frame["participants"].sum()) if frame.height else 0
        state.save()
    return state.participations


def read(fiscal_year: int, codes: list[str] | None) -> pl.DataFrame:
    table = CoverageGroup._meta.db_table
    names = [k for k in SCHEMA if k != "fiscal_year"]
    frame = bulk.read_frame(
        f"SELECT {', '.join(names)} FROM {table} WHERE fiscal_year = %s",  # noqa: S608
        {k: SCHEMA[k] for k in names},
        [int(fiscal_year)],
    )
    if codes is not None and not scope.is_whole_deployment(codes):
        frame = frame.filter(scope.expr(codes, "desa_id"))
    return frame


def statuses(*, on: datetime.date, codes: list[str] | None = None) -> pl.DataFrame:
    """The groups of `on`'s fiscal year (within `codes`) with `status`, `protected_until`,
    `paid_until`, `grace_until` and `delayed_bill_id` on `on`; rebuilt first when stale."""
    fresh()
    groups = read(on.year, codes)
    day = pl.lit(on, pl.Date)
    plain = groups.filter(pl.col("participation_id").is_null()).with_columns(
        protected_until=pl.when((pl.col("paid_from") <= day) & (pl.col("paid_until") >= day)).then(
            pl.col("paid_until")
        ),
        last_before=pl.when(pl.col("paid_until") < day).then(pl.col("paid_until")),
        paid_through=pl.col("paid_until"),
    )
    plain = ledger.with_status(plain.drop("paid_until"), pl.DataFrame(), on=on)
    gaps = groups.filter(pl.col("participation_id").is_not_null())
    if gaps.height:
        exact = ledger.standing(on=on, participation_ids=gaps["participation_id"].to_list())
        exact = exact.with_columns(
            participants=pl.lit(1, pl.Int64), paid_from=pl.lit(None, pl.Date)
        )
        plain = pl.concat([plain, exact.select(plain.columns)], how="vertical_relaxed")
    return plain
