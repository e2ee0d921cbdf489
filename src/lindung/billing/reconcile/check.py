"""The recap compared with Lindung's data: pure Polars over frames the service reads.

    recap = normalise(sheet.frame)                      one entry per member of the file
    rows = classify(recap, participations=…, paid=…, known=…, fiscal_year=2027, on=day)
    targets = bill_targets(rows, lines)                 bill -> DIREKONSILIASI / SELISIH

The cells are read by `cells` (statuses, paid-through months, amounts); rows of one KPJ (a
recap per month) are added up: the latest paid-through month, the sum of the amounts. What
each code means and what to do is `words`.

Lindung's side, as frames (`service.lindung_frames` reads them):
- participations (PARTICIPATIONS): every participation of the fiscal year with `on_list`
  (its worker is on the approved list in force), the ledger's `status` on the day and
  `paid_until` (the last day a paid period of the year covers, prepaid months included; the
  day before protection starts when nothing is paid);
- paid (PAID): the paid lines of the year: unrefunded bill lines of months a payment covers;
- known (KNOWN): the workers Lindung knows by the file's NIKs and KPJs (registry, KPJs of
  other years and of self-payers).

Each entry gets exactly one code (`RowCode`), and with it its category, first that applies:
an entry for a registered participant missing from the file; then a row nobody in the year
answers to (BPJS not active: matched; else not on the list); KPJ and NIK of different
participants; a participant removed from the list; a status that cannot be read; a
participation ended (or lapsed in the ledger); one not yet registered; then, for a registered
participant: BPJS not active, a paid-through month that cannot be read or lies a month or
more from Lindung's `paid_until`, an amount that cannot be read or differs from what Lindung
paid for the worker's months of the fiscal year up to BPJS's paid-through month (all of the
year without one). A row without a status counts as active when it has a paid-through month
or an amount above zero.
"""

import datetime
from enum import StrEnum
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from lindung.billing.ledger import Status
from lindung.billing.models import BillState
from lindung.billing.reconcile.cells import (
    ACTIVE,
    INACTIVE,
    UNKNOWN,
    parse_amounts,
    parse_months,
    parse_statuses,
)
from lindung.billing.states import BillingError
from lindung.enrollment.answers.check import clean_kpj
from lindung.enrollment.models import EndReason, State
from lindung.registry.pipeline.values import clean_nik


class Category(StrEnum):
    MATCHED = "matched"
    NOT_ON_LIST = "not_on_list"
    NOT_ACTIVE = "not_active"
    AMOUNT_MISMATCH = "amount_mismatch"
    STATUS_MISMATCH = "status_mismatch"


class RowCode(StrEnum):
    MATCHED = "MATCHED"
    INACTIVE_BOTH = "INACTIVE_BOTH"
    UNKNOWN_MEMBER = "UNKNOWN_MEMBER"
    NOT_ON_LIST = "NOT_ON_LIST"
    NOT_ACTIVE_AT_BPJS = "NOT_ACTIVE_AT_BPJS"
    MISSING_FROM_RECAP = "MISSING_FROM_RECAP"
    AMOUNT_DIFFERS = "AMOUNT_DIFFERS"
    AMOUNT_UNREADABLE = "AMOUNT_UNREADABLE"
    PAID_THROUGH_DIFFERS = "PAID_THROUGH_DIFFERS"
    DATE_UNREADABLE = "DATE_UNREADABLE"
    STATUS_UNREADABLE = "STATUS_UNREADABLE"
    ENDED_BUT_ACTIVE = "ENDED_BUT_ACTIVE"
    NOT_REGISTERED_BUT_ACTIVE = "NOT_REGISTERED_BUT_ACTIVE"
    IDENTITY_DIFFERS = "IDENTITY_DIFFERS"


CATEGORY_OF: dict[str, str] = {
    RowCode.MATCHED: Category.MATCHED,
    RowCode.INACTIVE_BOTH: Category.MATCHED,
    RowCode.UNKNOWN_MEMBER: Category.NOT_ON_LIST,
    RowCode.NOT_ON_LIST: Category.NOT_ON_LIST,
    RowCode.NOT_ACTIVE_AT_BPJS: Category.NOT_ACTIVE,
    RowCode.MISSING_FROM_RECAP: Category.NOT_ACTIVE,
    RowCode.AMOUNT_DIFFERS: Category.AMOUNT_MISMATCH,
    RowCode.AMOUNT_UNREADABLE: Category.AMOUNT_MISMATCH,
    RowCode.PAID_THROUGH_DIFFERS: Category.STATUS_MISMATCH,
    RowCode.DATE_UNREADABLE: Category.STATUS_MISMATCH,
    RowCode.STATUS_UNREADABLE: Category.STATUS_MISMATCH,
    RowCode.ENDED_BUT_ACTIVE: Category.STATUS_MISMATCH,
    RowCode.NOT_REGISTERED_BUT_ACTIVE: Category.STATUS_MISMATCH,
    RowCode.IDENTITY_DIFFERS: Category.STATUS_MISMATCH,
}
# A participation ended for these reasons left the list: BPJS still counting it is "not on
# the list"; ended for any other reason (died, lapsed, …) it is a status mismatch.
LEFT_THE_LIST = (EndReason.LIST_REVISION.value, EndReason.NOT_RENEWED.value)
# Bills a reconciliation may move: money has arrived on them.
RECONCILABLE = (
    BillState.SEBAGIAN,
    BillState.DIBAYAR,
    BillState.SELISIH,
    BillState.DIREKONSILIASI,
    BillState.PENGEMBALIAN,
)

PARTICIPATIONS: dict[str, Any] = {
    "participation_id": pl.Int64,
    "worker_id": pl.Int64,
    "kpj": pl.String,
    "nik": pl.String,
    "state": pl.String,
    "end_reason": pl.String,
    "source": pl.String,
    "fiscal_year": pl.Int64,
    "wadah": pl.String,
    "npw": pl.String,
    "desa_id": pl.String,
    "effective_from": pl.Date,
    "on_list": pl.Boolean,
    "status": pl.String,
    "paid_until": pl.Date,
}
PAID: dict[str, Any] = {
    "participation_id": pl.Int64,
    "worker_id": pl.Int64,
    "bill_id": pl.Int64,
    "month": pl.Date,
    "amount": pl.Int64,
}
KNOWN: dict[str, Any] = {"kpj": pl.String, "nik": pl.String, "worker_id": pl.Int64}
RECAP: dict[str, Any] = {
    "row": pl.Int64,
    "rows": pl.UInt32,
    "kpj": pl.String,
    "nik": pl.String,
    "name": pl.String,
    "wadah_text": pl.String,
    "status_text": pl.String,
    "activity": pl.String,
    "paid_through_text": pl.String,
    "paid_through": pl.Date,
    "date_unreadable": pl.Boolean,
    "amount_text": pl.String,
    "amount": pl.Int64,
    "amount_unreadable": pl.Boolean,
}
# The checked rows (kept as Parquet, shown on the preview, printed by the CLI).
ROW_COLUMNS = (
    "row",
    "rows",
    "kpj",
    "nik",
    "name",
    "wadah_text",
    "status_text",
    "activity",
    "paid_through_text",
    "paid_through",
    "amount_text",
    "amount",
    "participation_id",
    "worker_id",
    "source",
    "wadah",
    "desa_id",
    "state",
    "end_reason",
    "ledger_status",
    "paid_until",
    "window_end",
    "lindung_amount",
    "category",
    "code",
)


# ---------------------------------------------------------------------------------------------
# The recap


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """One entry per member of the recap (`RECAP` columns): KPJ and NIK as digits (a NIK
    that cannot be valid is null), the status read as active/inactive, the paid-through month,
    the amount; the rows of one KPJ (or of one NIK without a KPJ) added up, `row` being the
    first of them. Raises BillingError when Excel stored NIKs as numbers and lost digits."""
    height = frame.height

    def column(name: str) -> pl.Series:
        if name in frame.columns:
            return frame.get_column(name)
        return pl.Series(name, [None] * height, dtype=pl.String)

    numeric = (
        frame.get_column("_nik_numeric")
        if "_nik_numeric" in frame.columns
        else pl.Series([False] * height)
    )
    niks = clean_nik(column("nik"), numeric)
    _refuse_lost_niks(frame.get_column("_row"), niks.get_column("nik_error"))
    status = parse_statuses(column("status"))
    months = parse_months(column("paid_through"))
    amounts = parse_amounts(column("amount"))
    rows = pl.DataFrame(
        {
            "row": frame.get_column("_row").cast(pl.Int64),
            "kpj": column("kpj"),
            "nik": niks.get_column("nik"),
            "nik_error": niks.get_column("nik_error"),
            "name": column("name"),
            "wadah_text": column("wadah"),
            "status_text": column("status"),
            "activity": status.get_column("value"),
            "status_unreadable": status.get_column("unreadable"),
            "paid_through_text": column("paid_through"),
            "paid_through": months.get_column("value"),
            "date_unreadable": months.get_column("unreadable"),
            "amount_text": column("amount"),
            "amount": amounts.get_column("value"),
            "amount_unreadable": amounts.get_column("unreadable"),
        }
    ).with_columns(
        clean_kpj(pl.col("kpj")).alias("kpj"),
        pl.when(pl.col("nik_error").is_null()).then(pl.col("nik")).alias("nik"),
        pl.col("wadah_text").str.strip_chars(),
    )
    key = pl.coalesce(
        pl.col("kpj"),
        pl.lit("nik:") + pl.col("nik"),
        pl.lit("row:") + pl.col("row").cast(pl.String),
    )
    # A status the branch wrote but nobody can read stays "unknown" (a status mismatch).
    activity = pl.when(pl.col("status_unreadable")).then(pl.lit(UNKNOWN)).otherwise("activity")
    combined = (
        rows.with_columns(activity.alias("activity"), key.alias("_key"))
        .sort("row")
        .group_by("_key", maintain_order=True)
        .agg(
            pl.col("row").first(),
            pl.len().alias("rows"),
            pl.col("kpj").first(),
            pl.col("nik").drop_nulls().first(),
            pl.col("name").drop_nulls().first(),
            pl.col("wadah_text").drop_nulls().first(),
            pl.col("status_text").drop_nulls().last(),
            pl.col("activity").drop_nulls().last(),
            pl.col("paid_through_text").drop_nulls().last(),
            pl.col("paid_through").max(),
            pl.col("date_unreadable").any(),
            pl.col("amount_text").drop_nulls().first(),
            pl.when(pl.col("amount").is_not_null().any()).then(pl.col("amount").sum()),
            pl.col("amount_unreadable").any(),
        )
    )
    # Without a status, a paid-through month or an amount above zero says active.
    derived = (
        pl.when(pl.col("activity").is_not_null())
        .then(pl.col("activity"))
        .when(pl.col("paid_through").is_not_null() | (pl.col("amount").fill_null(0) > 0))
        .then(pl.lit(ACTIVE))
        .otherwise(pl.lit(UNKNOWN))
    )
    return combined.with_columns(derived.alias("activity")).select(
        *(pl.col(name).cast(dtype) for name, dtype in RECAP.items())
    )


def _refuse_lost_niks(rows: pl.Series, errors: pl.Series) -> None:
    lost = rows.filter(errors == "NIK_EXCEL_PRECISION").to_list()
    if not lost:
        return
    shown = ", ".join(str(r) for r in lost[:10]) + (", …" if len(lost) > 10 else "")
    raise BillingError(
        _(
            "Excel stored the NIK column as numbers and lost their last digits (rows "
            "%(rows)s): these NIKs cannot be compared. Format the NIK column as Text and type "
            "the NIKs again, or ask the branch for the recap with NIK as text (or without the "
            "NIK column: the KPJ is enough), and upload it again."
        )
        % {"rows": shown}
    )


# ---------------------------------------------------------------------------------------------
# The comparison


def _month_index(column: str) -> pl.Expr:
    return pl.col(column).dt.year().cast(pl.Int32) * 12 + pl.col(column).dt.month().cast(pl.Int32)


def _squeeze(column: str) -> pl.Expr:
    """A wadah code or NPW compared without case and spaces."""
    return pl.col(column).str.to_uppercase().str.replace_all(r"[\s.\-]", "")


def _best(participations: pl.DataFrame, key: str, alias: str) -> pl.DataFrame:
    """The participation each KPJ (or NIK) points to: the open one, else the latest."""
    return (
        participations.filter(pl.col(key).is_not_null() & (pl.col(key) != ""))
        .with_columns((pl.col("state") != State.BERAKHIR.value).alias("_open"))
        .sort(["_open", "participation_id"], descending=[True, True])
        .unique(key, keep="first", maintain_order=True)
        .select(pl.col(key), pl.col("participation_id").alias(alias))
    )


def classify(
    recap: pl.DataFrame,
    *,
    participations: pl.DataFrame,
    paid: pl.DataFrame,
    known: pl.DataFrame,
    fiscal_year: int,
    on: datetime.date,
) -> pl.DataFrame:
    """The checked entries (`ROW_COLUMNS`): each recap entry, then each registered participant
    missing from the file (`row` null). See the module's docstring for the rules."""
    first_month = datetime.date(fiscal_year, 1, 1)
    last_month = datetime.date(fiscal_year, 12, 1)
    people = participations.select(
        pl.col("participation_id"),
        pl.col("worker_id"),
        pl.col("kpj").alias("p_kpj"),
        pl.col("nik").alias("p_nik"),
        pl.col("state"),
        pl.col("end_reason"),
        pl.col("source"),
        pl.col("wadah"),
        pl.col("npw"),
        pl.col("desa_id"),
        pl.col("effective_from"),
        pl.col("on_list"),
        pl.col("status").alias("ledger_status"),
        pl.col("paid_until"),
    )
    entries = (
        recap.join(_best(participations, "kpj", "_by_kpj"), on="kpj", how="left")
        .join(_best(participations, "nik", "_by_nik"), on="nik", how="left")
        .with_columns(pl.coalesce("_by_kpj", "_by_nik").alias("participation_id"))
        .join(people, on="participation_id", how="left")
        .with_columns(pl.lit(value=False).alias("_missing"))
    )
    # Registered participants of the recap's wadah (all wadah when it names none) that no row
    # answers to.
    named = recap.get_column("wadah_text").drop_nulls()
    wadah = pl.DataFrame({"w": named}).select(_squeeze("w")).get_column("w").unique().to_list()
    in_recap = (
        (_squeeze("wadah").is_in(wadah) | _squeeze("npw").is_in(wadah)).fill_null(value=False)
        if wadah
        else pl.lit(value=True)
    )
    answered = entries.get_column("participation_id").drop_nulls().unique()
    missing = people.filter(
        (pl.col("state") == State.TERDAFTAR.value)
        & pl.col("on_list")
        & (pl.col("effective_from") <= on)
        & in_recap
        & ~pl.col("participation_id").is_in(answered.implode())
    ).with_columns(
        pl.col("p_kpj").alias("kpj"),
        pl.col("p_nik").alias("nik"),
        pl.lit(value=True).alias("_missing"),
    )
    frame = pl.concat([entries, missing], how="diagonal_relaxed").with_row_index("_i")
    frame = _with_amounts(frame, paid, first_month=first_month, last_month=last_month)
    known_kpj = known.get_column("kpj").drop_nulls().implode()
    known_nik = known.get_column("nik").drop_nulls().implode()
    found = pl.col("participation_id").is_not_null()
    is_known = pl.col("kpj").is_in(known_kpj).fill_null(value=False) | pl.col("nik").is_in(
        known_nik
    ).fill_null(value=False)
    differs = (
        pl.col("_by_kpj").is_not_null()
        & pl.col("nik").is_not_null()
        & (pl.col("nik") != pl.col("p_nik"))
    ) | (
        pl.col("_by_kpj").is_null()
        & pl.col("_by_nik").is_not_null()
        & pl.col("kpj").is_not_null()
        & (pl.col("p_kpj").fill_null("") != "")
        & (pl.col("p_kpj") != pl.col("kpj"))
    )
    inactive = pl.col("activity") == INACTIVE
    removed = (
        (pl.col("state") == State.BERAKHIR.value) & pl.col("end_reason").is_in(LEFT_THE_LIST)
    ) | ~pl.col("on_list").fill_null(value=False)
    ended = (pl.col("state") == State.BERAKHIR.value) | pl.col("ledger_status").is_in(
        [Status.LAPSED, Status.ENDED]
    )
    registered = pl.col("state") == State.TERDAFTAR.value
    apart = (_month_index("paid_through") - _month_index("paid_until")).abs() >= 1
    differs_amount = pl.col("amount").is_not_null() & (pl.col("amount") != pl.col("lindung_amount"))
    rules: list[tuple[pl.Expr, RowCode]] = [
        (pl.col("_missing"), RowCode.MISSING_FROM_RECAP),
        (~found & inactive, RowCode.INACTIVE_BOTH),
        (~found & is_known, RowCode.NOT_ON_LIST),
        (~found, RowCode.UNKNOWN_MEMBER),
        (differs, RowCode.IDENTITY_DIFFERS),
        (removed & inactive, RowCode.INACTIVE_BOTH),
        (removed, RowCode.NOT_ON_LIST),
        (pl.col("activity") == UNKNOWN, RowCode.STATUS_UNREADABLE),
        (ended & inactive, RowCode.INACTIVE_BOTH),
        (ended, RowCode.ENDED_BUT_ACTIVE),
        (~registered & inactive, RowCode.INACTIVE_BOTH),
        (~registered, RowCode.NOT_REGISTERED_BUT_ACTIVE),
        (inactive, RowCode.NOT_ACTIVE_AT_BPJS),
        (pl.col("date_unreadable"), RowCode.DATE_UNREADABLE),
        (apart, RowCode.PAID_THROUGH_DIFFERS),
        (pl.col("amount_unreadable"), RowCode.AMOUNT_UNREADABLE),
        (differs_amount, RowCode.AMOUNT_DIFFERS),
    ]
    code: Any = pl.when(pl.lit(value=False)).then(pl.lit(None, pl.String))
    for condition, value in rules:
        code = code.when(condition.fill_null(value=False)).then(pl.lit(value.value))
    code = code.otherwise(pl.lit(RowCode.MATCHED.value))
    frame = frame.with_columns(code.alias("code")).with_columns(
        pl.col("code").replace_strict(CATEGORY_OF, return_dtype=pl.String).alias("category"),
        pl.col("rows").fill_null(0),
    )
    return frame.sort(pl.col("row").is_null(), "row", "kpj").select(ROW_COLUMNS)


def _with_amounts(
    frame: pl.DataFrame,
    paid: pl.DataFrame,
    *,
    first_month: datetime.date,
    last_month: datetime.date,
) -> pl.DataFrame:
    """`window_end` (the last month compared: BPJS's paid-through month within the fiscal
    year, December without one) and `lindung_amount` (the worker's paid lines from January to
    it; null for an entry without a participation)."""
    end = (
        pl.when(pl.col("paid_through").is_not_null())
        .then(pl.min_horizontal(pl.col("paid_through"), pl.lit(last_month)))
        .otherwise(pl.lit(last_month))
    )
    frame = frame.with_columns(end.alias("window_end"))
    sums = (
        frame.filter(pl.col("worker_id").is_not_null())
        .select("_i", "worker_id", "window_end")
        .join(paid.select("worker_id", "month", "amount"), on="worker_id")
        .filter(pl.col("month").is_between(pl.lit(first_month), pl.col("window_end")))
        .group_by("_i")
        .agg(pl.col("amount").sum().alias("lindung_amount"))
    )
    return frame.join(sums, on="_i", how="left").with_columns(
        pl.when(pl.col("worker_id").is_not_null())
        .then(pl.col("lindung_amount").fill_null(0))
        .alias("lindung_amount")
    )


def counts(rows: pl.DataFrame) -> dict[str, int]:
    """Entries per category (every category, zero included)."""
    got = dict(rows.get_column("category").value_counts().iter_rows())
    return {category.value: int(got.get(category.value, 0)) for category in Category}


def code_counts(rows: pl.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in rows.get_column("code").value_counts().iter_rows()}


# ---------------------------------------------------------------------------------------------
# Bills


LINES: dict[str, Any] = {"bill_id": pl.Int64, "participation_id": pl.Int64, "month": pl.Date}


def bill_targets(rows: pl.DataFrame, lines: pl.DataFrame) -> dict[int, str]:
    """The state each bill should take (pure): `lines` are the unrefunded lines of the bills
    a reconciliation may move. A bill with a participant whose amount differs, on a line of a
    month BPJS's paid-through month covers, is SELISIH; a bill whose participants in the
    comparison all match is DIREKONSILIASI; any other bill is left as it is (a person looks
    at the participants first). Participants the comparison has no entry for (ended and not
    in the file) do not count."""
    entries = rows.filter(pl.col("participation_id").is_not_null()).select(
        "participation_id", "category", "window_end"
    )
    joined = lines.join(entries, on="participation_id")
    if joined.is_empty():
        return {}
    amount = pl.col("category") == Category.AMOUNT_MISMATCH.value
    per_bill = joined.group_by("bill_id").agg(
        (amount & (pl.col("month") <= pl.col("window_end"))).any().alias("selisih"),
        (pl.col("category") == Category.MATCHED.value).all().alias("matched"),
    )
    targets: dict[int, str] = {}
    for bill_id, selisih, matched in per_bill.sort("bill_id").iter_rows():
        if selisih:
            targets[bill_id] = BillState.SELISIH.value
        elif matched:
            targets[bill_id] = BillState.DIREKONSILIASI.value
    return targets
