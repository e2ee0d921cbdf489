"""The coverage ledger: which participations are protected on a date, which are in grace, which
have lapsed, computed from the paid periods.

    rebuild_bill(bill)           the bill's paid periods from its paid lines (after a payment,
                                 a refund, a cancellation): deleted and written again
    standing(on=date, codes=…)   one row per participation of the year: status on the date,
                                 paid until, grace until, the late-funds reason
    status_of(frame, on)         the same, pure Polars over frames built in memory (tests)

Rules (REGULATION.md, "Arrears"): a participation is protected on a day that lies in a paid
period, from its effective date on and not after it ended. Its coverage runs without a break
from the effective date to `paid_until`; the first unpaid day opens the arrears. Arrears may
be paid for at most three months: a participation unpaid in a fourth month lapses, on the last
day of the third (`grace_until`), unless the first unpaid month is on a bill whose funds are
late (`Bill.funds_delayed`): then it stays in grace with the bill's reason.
"""

import datetime
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import Sum

from lindung import bulk
from lindung.billing import states
from lindung.billing.models import Bill, BillLine, BillState, PaidPeriod
from lindung.enrollment.models import EndReason, Participation, State
from lindung.regions import scope

GRACE_MONTHS = 3  # arrears BPJS TK accepts after protection ended (REGULATION.md)


class Status:
    PROTECTED = "protected"
    GRACE = "in_grace"
    LAPSED = "lapsed"
    ENDED = "ended"  # ended for another reason (died, removed, moved out…)
    NOT_YET = "not_yet"  # registered, protection starts later


PARTICIPATIONS = {
    "participation_id": pl.Int64,
    "worker_id": pl.Int64,
    "wadah_id": pl.Int64,
    "source": pl.String,
    "kecamatan_id": pl.String,
    "desa_id": pl.String,
    "state": pl.String,
    "effective_from": pl.Date,
    "ended_on": pl.Date,
    "end_reason": pl.String,
}
PERIODS = {
    "participation_id": pl.Int64,
    "bill_id": pl.Int64,
    "paid_from": pl.Date,
    "paid_to": pl.Date,
}
DELAYED = {"participation_id": pl.Int64, "month": pl.Date, "bill_id": pl.Int64}


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(day: datetime.date) -> datetime.date:
    return add_months(day, 1) - datetime.timedelta(days=1)


def _date(value: datetime.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _literal(value: str) -> str:
    """A fixed text constant of ours inside SQL (bulk.read_frame takes only integers)."""
    if not value.replace("_", "").isalnum():
        raise ValueError(value)
    return f"'{value}'"


def paid_months(bill: Bill) -> int:
    """How many of the bill's months its payments cover, in month order: a payment pays the
    first month of every participant first, and a month counts once it is paid in full."""
    rows = _month_totals(bill.pk)
    covered, running = 0, 0
    for _month, total in rows:
        running += total
        if running > bill.paid:
            break
        covered += 1
    return covered


def _month_totals(bill_id: int) -> list[tuple[datetime.date, int]]:
    return [
        (row["month"], int(row["total"] or 0))
        for row in BillLine.objects.filter(bill_id=bill_id)
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    ]


def rebuild_bill(bill: Bill) -> int:
    """Write the bill's paid periods again from its paid, unrefunded lines; returns how many.
    Each participant's lines in one bill are consecutive months, so one period each: from the
    first paid month (not before the effective date) to the end of the last paid month (not
    after the participation ended)."""
    table = PaidPeriod._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE bill_id = %s", [bill.pk])  # noqa: S608
    covered = paid_months(bill) if bill.state != BillState.BATAL else 0
    if covered == 0:
        return 0
    last_month = add_months(bill.period_start, covered - 1)
    lines = BillLine._meta.db_table
    parts = Participation._meta.db_table
    frame = bulk.read_frame(
        f"SELECT l.participation_id, l.worker_id, MIN(l.month), MAX(l.month), "  # noqa: S608
        f"p.effective_from, p.ended_on, p.kecamatan_id, p.desa_id "
        f"FROM {lines} l JOIN {parts} p ON p.id = l.participation_id "
        f"WHERE l.bill_id = %s AND l.refunded = {sql_false()} "
        f"AND l.month <= '{last_month.isoformat()}' "
        f"GROUP BY l.participation_id, l.worker_id, p.effective_from, p.ended_on, "
        f"p.kecamatan_id, p.desa_id",
        {
            "participation_id": pl.Int64,
            "worker_id": pl.Int64,
            "first": pl.Date,
            "last": pl.Date,
            "effective_from": pl.Date,
            "ended_on": pl.Date,
            "kecamatan_id": pl.String,
            "desa_id": pl.String,
        },
        [bill.pk],
    )
    periods = (
        frame.with_columns(
            start=pl.max_horizontal("first", pl.col("effective_from").fill_null(pl.col("first"))),
            end=pl.min_horizontal(
                pl.col("last").dt.month_end(), pl.col("ended_on").fill_null(date_max())
            ),
        )
        .filter(pl.col("start") <= pl.col("end"))
        .select(
            "participation_id",
            "worker_id",
            pl.lit(bill.pk, pl.Int64).alias("bill_id"),
            pl.lit(bill.source).alias("source"),
            pl.col("start").alias("paid_from"),
            pl.col("end").alias("paid_to"),
            "kecamatan_id",
            "desa_id",
        )
    )
    bulk.insert_frame(table, periods)
    return periods.height


def sql_false() -> str:
    """A boolean false as the database writes it in SQL."""
    return "false" if connection.vendor == "postgresql" else "0"


def date_max() -> datetime.date:
    return datetime.date(9999, 12, 31)


def _scope_filter(codes: list[str] | None, column: str) -> tuple[str, list[str]]:
    if codes is None:
        return "", []
    where, params = scope.sql(codes, column)
    return f" AND {where}", params


def read_frames(
    *, on: datetime.date, codes: list[str] | None = None, participation_ids: list[int] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The participations of `on`'s fiscal year that were registered by `on` (within `codes`,
    None: all), their paid periods that began by `on`, and the unpaid lines of bills whose
    funds are late."""
    parts = Participation._meta.db_table
    periods = PaidPeriod._meta.db_table
    bills = Bill._meta.db_table
    day = on.isoformat()
    where = (
        f"fiscal_year = {int(on.year)} AND effective_from IS NOT NULL "
        f"AND effective_from <= '{day}' AND state IN ({_literal(State.TERDAFTAR)}, "
        f"{_literal(State.BERAKHIR)})"
    )
    area, area_params = _scope_filter(codes, "desa_id")
    if participation_ids is not None:
        where += " AND id IN (" + ",".join(str(int(i)) for i in participation_ids or [0]) + ")"
    # read_frame binds integers only: the scope's codes are checked region codes, inlined.
    area_sql = area
    for value in area_params:
        area_sql = area_sql.replace("%s", "'" + value.replace("'", "") + "'", 1)
    people = bulk.read_frame(
        f"SELECT id, worker_id, wadah_id, source, kecamatan_id, desa_id, state, effective_from, "  # noqa: S608
        f"ended_on, end_reason FROM {parts} WHERE {where}{area_sql}",
        PARTICIPATIONS,
    )
    paid_area = area_sql.replace("desa_id", "pp.desa_id")
    ids_sql = ""
    if participation_ids is not None:
        ids_sql = (
            " AND pp.participation_id IN ("
            + ",".join(str(int(i)) for i in participation_ids or [0])
            + ")"
        )
    paid = bulk.read_frame(
        f"SELECT pp.participation_id, pp.bill_id, pp.paid_from, pp.paid_to "  # noqa: S608
        f"FROM {periods} pp JOIN {bills} b ON b.id = pp.bill_id "
        f"WHERE b.fiscal_year = {int(on.year)} AND pp.paid_from <= '{day}'{paid_area}{ids_sql}",
        PERIODS,
    )
    delayed = delayed_lines(on.year, ids_sql.replace("pp.", "l."))
    return people, paid, delayed


def delayed_lines(fiscal_year: int, extra: str = "") -> pl.DataFrame:
    """The unrefunded lines of `fiscal_year`'s unpaid bills whose funds are late
    (participation_id, month, bill_id); `extra` is a further SQL condition on `l.` (fixed
    text of ours)."""
    lines = BillLine._meta.db_table
    bills = Bill._meta.db_table
    unpaid = ", ".join(_literal(s) for s in sorted(states.UNPAID))
    return bulk.read_frame(
        f"SELECT l.participation_id, l.month, l.bill_id FROM {lines} l "  # noqa: S608
        f"JOIN {bills} b ON b.id = l.bill_id WHERE b.funds_delayed = {_true()} "
        f"AND b.state IN ({unpaid}) AND b.fiscal_year = {int(fiscal_year)} "
        f"AND l.refunded = {sql_false()}{extra}",
        DELAYED,
    )


def _true() -> str:
    return "true" if connection.vendor == "postgresql" else "1"


def status_of(
    people: pl.DataFrame, paid: pl.DataFrame, delayed: pl.DataFrame, *, on: datetime.date
) -> pl.DataFrame:
    """Each participation's standing on `on` (pure): the columns of `people` plus `status`,
    `protected_until` (the end of the period covering `on`, if any), `paid_until` (the last
    paid day up to `on`: the covering period's end, else the end of the last period before),
    `paid_through` (the last paid day of all), `unpaid_month` (the first month after the paid
    days before `on`, or the month protection started), `grace_until` (three months of arrears
    from it) and `delayed_bill_id` (the late-funds bill of that month, keeping it in grace)."""
    day = pl.lit(on, pl.Date)
    capped = (
        paid.join(people.select("participation_id", "ended_on"), on="participation_id")
        .select(
            "participation_id",
            "paid_from",
            pl.min_horizontal("paid_to", pl.col("ended_on").fill_null(date_max())).alias("paid_to"),
        )
        .filter(pl.col("paid_from") <= pl.col("paid_to"))
    )
    summary = capped.group_by("participation_id").agg(
        protected_until=pl.col("paid_to")
        .filter(pl.col("paid_from") <= day, pl.col("paid_to") >= day)
        .max(),
        last_before=pl.col("paid_to").filter(pl.col("paid_to") < day).max(),
        paid_through=pl.col("paid_to").max(),
    )
    out = people.join(summary, on="participation_id", how="left")
    return with_status(out, delayed, on=on)


def with_status(frame: pl.DataFrame, delayed: pl.DataFrame, *, on: datetime.date) -> pl.DataFrame:
    """`status` and the grace columns from `protected_until` and `last_before` (see
    `status_of`); shared by the coverage groups."""
    day = pl.lit(on, pl.Date)
    one_day = pl.duration(days=1)
    unpaid_from = pl.coalesce(pl.col("last_before") + one_day, pl.col("effective_from"))
    out = frame.with_columns(
        paid_until=pl.coalesce("protected_until", "last_before"),
        unpaid_month=unpaid_from.dt.month_start(),
    ).with_columns(
        grace_until=pl.col("unpaid_month").dt.offset_by(f"{GRACE_MONTHS}mo") - one_day,
    )
    if "delayed_bill_id" not in out.columns:
        late = delayed.rename({"month": "unpaid_month", "bill_id": "delayed_bill_id"}).unique(
            ["participation_id", "unpaid_month"]
        )
        out = out.join(late, on=["participation_id", "unpaid_month"], how="left")
    ended = pl.col("ended_on").is_not_null() & (pl.col("ended_on") < day)
    status = (
        pl.when(ended & (pl.col("end_reason") == EndReason.LAPSED))
        .then(pl.lit(Status.LAPSED))
        .when(ended)
        .then(pl.lit(Status.ENDED))
        .when(pl.col("effective_from") > day)
        .then(pl.lit(Status.NOT_YET))
        .when(pl.col("protected_until").is_not_null())
        .then(pl.lit(Status.PROTECTED))
        .when(pl.col("delayed_bill_id").is_not_null() | (day <= pl.col("grace_until")))
        .then(pl.lit(Status.GRACE))
        .otherwise(pl.lit(Status.LAPSED))
    )
    return out.with_columns(status=status)


def date_min() -> datetime.date:
    return datetime.date(1, 1, 1)


def standing(
    *, on: datetime.date, codes: list[str] | None = None, participation_ids: list[int] | None = None
) -> pl.DataFrame:
    """`status_of` over the database: the participations of `on`'s year registered by `on`."""
    people, paid, delayed = read_frames(on=on, codes=codes, participation_ids=participation_ids)
    return status_of(people, paid, delayed, on=on)
