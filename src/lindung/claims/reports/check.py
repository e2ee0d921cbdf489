"""A claim report compared with the recorded claims: pure Polars over frames the service reads.

    report = normalise(sheet.frame)          one entry per row of the file, cells read
    rows = classify(report, people=…, workers=…, claims=…, on=day)   the checked rows

Cells: the KPJ as digits (a number cell's ".0" dropped), the NIK cleaned and checked like the
registry's (`clean_nik`: 16 digits, a real province and birth date), the type mapped to a
`ClaimKind` by `parse_kind`, the dates day first (`parse_date`: "03-05-2027", "3 Mei 2027",
"2027-05-03", date cells, Excel serials), the amount in whole rupiah ("2.500.000",
"Rp2.500.000,00", "2,500,000", numbers).

Lindung's side, as frames (`service.lindung_frames` reads them):
- people (PEOPLE): every participation of the workers the file's KPJs and NIKs point to;
- workers (WORKERS): the registry's workers with the file's NIKs;
- claims (CLAIMS): the recorded claims of those workers, with their event's date;
- deaths (DEATHS): the deaths reported of those workers.

Each row gets one status and one code, first that applies:
- `problem`: a cell that is missing or cannot be read, an amount of zero or less, a paid
  date before the event or after today, a NIK that cannot be valid, a KPJ and a NIK of two
  different workers, a claim Lindung recorded as rejected (DITOLAK) or as paid with another
  amount, a death benefit for a worker whose death Lindung recorded on another date, or a
  row that repeats an earlier one (the same recorded claim, or the same worker, type and
  event date);
- `unmatched`: no worker of Lindung has the KPJ or the NIK (UNKNOWN_WORKER), or the worker is
  in the registry but was never a participant (NOT_A_PARTICIPANT);
- `matched`: a recorded claim of the worker and type whose event lies within
  `EVENT_WINDOW_DAYS` of the row's and that is still open: committing settles it (DIBAYAR);
- `unchanged`: the claim is already DIBAYAR with the same amount: nothing to do;
- `new`: a known participant and no recorded claim: committing records it as paid.
The worker is found by KPJ (any year's participation) first, then by NIK (the registry, or a
participation's copy). Several candidate claims: the open or unchanged one with the nearest
event date, then the oldest.
"""

import datetime
from enum import StrEnum
from typing import Any

import polars as pl

from lindung.billing.reconcile.cells import parse_amounts
from lindung.claims.models import ClaimKind, ClaimState
from lindung.claims.states import OPEN
from lindung.enrollment.answers.check import clean_kpj
from lindung.registry.pipeline.values import clean_nik, parse_date

EVENT_WINDOW_DAYS = 3  # a branch's event date may differ from the reported one by this much


class Status(StrEnum):
    MATCHED = "matched"
    UNCHANGED = "unchanged"
    NEW = "new"
    UNMATCHED = "unmatched"
    PROBLEM = "problem"


class Code(StrEnum):
    MATCHED = "MATCHED"
    UNCHANGED = "UNCHANGED"
    NEW = "NEW"
    UNKNOWN_WORKER = "UNKNOWN_WORKER"
    NOT_A_PARTICIPANT = "NOT_A_PARTICIPANT"
    # problems: the cells
    IDENTITY_MISSING = "IDENTITY_MISSING"
    NIK_INVALID = "NIK_INVALID"
    NIK_LOST_DIGITS = "NIK_LOST_DIGITS"
    TYPE_MISSING = "TYPE_MISSING"
    TYPE_UNKNOWN = "TYPE_UNKNOWN"
    EVENT_DATE_MISSING = "EVENT_DATE_MISSING"
    EVENT_DATE_UNREADABLE = "EVENT_DATE_UNREADABLE"
    PAID_DATE_MISSING = "PAID_DATE_MISSING"
    PAID_DATE_UNREADABLE = "PAID_DATE_UNREADABLE"
    AMOUNT_MISSING = "AMOUNT_MISSING"
    AMOUNT_UNREADABLE = "AMOUNT_UNREADABLE"
    AMOUNT_NOT_POSITIVE = "AMOUNT_NOT_POSITIVE"
    PAID_BEFORE_EVENT = "PAID_BEFORE_EVENT"
    PAID_IN_FUTURE = "PAID_IN_FUTURE"
    # problems: against Lindung
    IDENTITY_DIFFERS = "IDENTITY_DIFFERS"
    CLAIM_REJECTED = "CLAIM_REJECTED"
    PAID_AMOUNT_DIFFERS = "PAID_AMOUNT_DIFFERS"
    DUPLICATE_ROW = "DUPLICATE_ROW"
    DEATH_OTHER_DATE = "DEATH_OTHER_DATE"


STATUS_OF: dict[str, str] = {
    Code.MATCHED: Status.MATCHED,
    Code.UNCHANGED: Status.UNCHANGED,
    Code.NEW: Status.NEW,
    Code.UNKNOWN_WORKER: Status.UNMATCHED,
    Code.NOT_A_PARTICIPANT: Status.UNMATCHED,
}  # every other code is a problem

# ---------------------------------------------------------------------------------------------
# The benefit type as branches write it

_EXACT: dict[str, str] = {
    **{kind.value.replace("-", " "): kind.value for kind in ClaimKind},
    "jkk md": ClaimKind.JKK_DEATH,
    "jkk cacat": ClaimKind.JKK_DISABILITY,
    "jkk stmb": ClaimKind.STMB,
    "jkk medical": ClaimKind.JKK_MEDICAL,
}
# Keyword rules, first that matches (after the exact spellings): a death with JKK or an
# accident in the words is JKK death, any other death is JKM.
_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("stmb", "tidak mampu bekerja", "temporary incapacity", "incapacity"), ClaimKind.STMB),
    (("cacat", "disab", "invalid"), ClaimKind.JKK_DISABILITY),
    (
        ("perawatan", "pengobatan", "rawat", "medical", "medis", "biaya rs"),
        ClaimKind.JKK_MEDICAL,
    ),
)
_DEATH = ("meninggal", "kematian", "wafat", "death", "died", "md")
_ACCIDENT = ("jkk", "kecelakaan", "accident")


def parse_kind(text: str | None) -> str | None:
    """The `ClaimKind` value a type cell names, or None (an empty cell too). "JKM", "jkm",
    "Jaminan Kematian", "Meninggal Dunia" → jkm; "JKK Meninggal", "jkk-death", "Kecelakaan
    Kerja - Meninggal" → jkk-death; "Cacat", "JKK Cacat Tetap Sebagian" → jkk-disability;
    "STMB", "Santunan Sementara Tidak Mampu Bekerja" → stmb; "Perawatan", "Pengobatan",
    "Biaya Perawatan dan Pengobatan" → jkk-medical. "JKK" alone says no benefit: None."""
    value = " ".join(
        (text or "").lower().replace("-", " ").replace("_", " ").replace("/", " ").split()
    )
    if not value:
        return None
    if value in _EXACT:
        return str(_EXACT[value])
    words = f" {value} "
    if " jkm " in words or "jaminan kematian" in value:
        return ClaimKind.JKM.value
    for keys, kind in _WORDS:
        if any(key in value for key in keys):
            return str(kind)
    if any(f" {key} " in words or (len(key) > 2 and key in value) for key in _DEATH):
        if any(key in value for key in _ACCIDENT):
            return ClaimKind.JKK_DEATH.value
        return ClaimKind.JKM.value
    return None


def parse_kinds(raw: pl.Series) -> pl.Series:
    """`parse_kind` of each cell, each distinct text once."""
    texts = raw.cast(pl.String)
    distinct = texts.drop_nulls().unique().to_list()
    table = pl.DataFrame(
        {"text": distinct, "kind": [parse_kind(t) for t in distinct]},
        schema={"text": pl.String, "kind": pl.String},
    )
    return (
        pl.DataFrame({"text": texts})
        .join(table, on="text", how="left", maintain_order="left")
        .get_column("kind")
    )


# ---------------------------------------------------------------------------------------------
# The report

REPORT: dict[str, Any] = {
    "row": pl.Int64,
    "kpj": pl.String,
    "nik": pl.String,
    "nik_error": pl.String,
    "name": pl.String,
    "type_text": pl.String,
    "kind": pl.String,
    "event_text": pl.String,
    "event_date": pl.Date,
    "event_unreadable": pl.Boolean,
    "paid_text": pl.String,
    "paid_on": pl.Date,
    "paid_unreadable": pl.Boolean,
    "amount_text": pl.String,
    "amount": pl.Int64,
    "amount_unreadable": pl.Boolean,
    "bpjs_number": pl.String,
}


def normalise(frame: pl.DataFrame, *, today: datetime.date | None = None) -> pl.DataFrame:
    """One entry per row of the report (`REPORT` columns), its cells read (see the module's
    docstring). `nik_error` is NIK_INVALID or NIK_EXCEL_PRECISION (a number cell that lost its
    last digit), null for a valid or empty NIK."""
    height = frame.height

    def column(name: str) -> pl.Series:
        if name in frame.columns:
            return frame.get_column(name).cast(pl.String)
        return pl.Series(name, [None] * height, dtype=pl.String)

    numeric = (
        frame.get_column("_nik_numeric")
        if "_nik_numeric" in frame.columns
        else pl.Series([False] * height)
    )
    niks = clean_nik(column("nik"), numeric)
    events = parse_date(column("event_date"), today=today)
    paid = parse_date(column("paid_on"), today=today)
    amounts = parse_amounts(column("amount"))
    return (
        pl.DataFrame(
            {
                "row": frame.get_column("_row").cast(pl.Int64),
                "kpj": column("kpj"),
                "nik": niks.get_column("nik"),
                "nik_error": niks.get_column("nik_error"),
                "name": column("name"),
                "type_text": column("type"),
                "kind": parse_kinds(column("type")),
                "event_text": column("event_date"),
                "event_date": events.get_column("date"),
                "event_unreadable": events.get_column("date_unreadable"),
                "paid_text": column("paid_on"),
                "paid_on": paid.get_column("date"),
                "paid_unreadable": paid.get_column("date_unreadable"),
                "amount_text": column("amount"),
                "amount": amounts.get_column("value"),
                "amount_unreadable": amounts.get_column("unreadable"),
                "bpjs_number": column("bpjs_number"),
            }
        )
        .with_columns(
            clean_kpj(pl.col("kpj")).alias("kpj"),
            pl.when(pl.col("nik_error").is_in(["NIK_INVALID", "NIK_EXCEL_PRECISION"]))
            .then(pl.col("nik_error"))
            .alias("nik_error"),
            pl.col("bpjs_number").str.strip_chars(),
            pl.col("name").str.strip_chars(),
        )
        .select(*(pl.col(name).cast(dtype) for name, dtype in REPORT.items()))
    )


def cell_errors(report: pl.DataFrame, *, on: datetime.date) -> pl.Series:
    """Each entry's problems with its own cells (a list of `Code` values, empty when none)."""
    empty = {
        name: pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")
        for name in ("type_text", "event_text", "paid_text", "amount_text")
    }
    checks: list[tuple[pl.Expr, Code]] = [
        (pl.col("kpj").is_null() & pl.col("nik").is_null(), Code.IDENTITY_MISSING),
        (pl.col("nik_error") == "NIK_INVALID", Code.NIK_INVALID),
        (pl.col("nik_error") == "NIK_EXCEL_PRECISION", Code.NIK_LOST_DIGITS),
        (empty["type_text"], Code.TYPE_MISSING),
        (~empty["type_text"] & pl.col("kind").is_null(), Code.TYPE_UNKNOWN),
        (empty["event_text"], Code.EVENT_DATE_MISSING),
        (~empty["event_text"] & pl.col("event_date").is_null(), Code.EVENT_DATE_UNREADABLE),
        (empty["paid_text"], Code.PAID_DATE_MISSING),
        (~empty["paid_text"] & pl.col("paid_on").is_null(), Code.PAID_DATE_UNREADABLE),
        (empty["amount_text"], Code.AMOUNT_MISSING),
        (~empty["amount_text"] & pl.col("amount").is_null(), Code.AMOUNT_UNREADABLE),
        (pl.col("amount") <= 0, Code.AMOUNT_NOT_POSITIVE),
        (pl.col("paid_on") < pl.col("event_date"), Code.PAID_BEFORE_EVENT),
        (pl.col("paid_on") > pl.lit(on), Code.PAID_IN_FUTURE),
    ]
    if report.is_empty():
        return pl.Series("errors", [], dtype=pl.List(pl.String))
    return report.select(
        pl.concat_list(
            [
                pl.when(check.fill_null(value=False)).then(pl.lit(code.value))
                for check, code in checks
            ]
        )
        .list.drop_nulls()
        .alias("errors")
    ).to_series()


# ---------------------------------------------------------------------------------------------
# The comparison

PEOPLE: dict[str, Any] = {
    "participation_id": pl.Int64,
    "worker_id": pl.Int64,
    "kpj": pl.String,
    "nik": pl.String,
    "fiscal_year": pl.Int64,
    "state": pl.String,
}
WORKERS: dict[str, Any] = {"worker_id": pl.Int64, "nik": pl.String}
DEATHS: dict[str, Any] = {"worker_id": pl.Int64, "death_on": pl.Date}
CLAIMS: dict[str, Any] = {
    "claim_id": pl.Int64,
    "number": pl.String,
    "worker_id": pl.Int64,
    "kind": pl.String,
    "event_date": pl.Date,
    "state": pl.String,
    "paid_amount": pl.Int64,
}
# The checked rows (kept as Parquet, shown on the preview, printed by the CLI).
ROW_COLUMNS: dict[str, Any] = {
    **{name: dtype for name, dtype in REPORT.items() if not name.endswith("_unreadable")},
    "worker_id": pl.Int64,
    "participation_id": pl.Int64,
    "claim_id": pl.Int64,
    "claim": pl.String,
    "claim_state": pl.String,
    "claim_event_date": pl.Date,
    "claim_paid_amount": pl.Int64,
    "status": pl.String,
    "code": pl.String,
    "errors": pl.List(pl.String),
}


def _first_per(frame: pl.DataFrame, key: str, value: str, alias: str) -> pl.DataFrame:
    """`key` → `value` (the first after sorting by `participation_id` descending when there)."""
    rows = frame.filter(pl.col(key).is_not_null() & (pl.col(key) != ""))
    if "participation_id" in rows.columns:
        rows = rows.sort("participation_id", descending=True)
    return rows.unique(key, keep="first", maintain_order=True).select(
        pl.col(key), pl.col(value).alias(alias)
    )


def _participation(entries: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """`participation_id` of each entry (`_i`): the worker's participation of the event's year
    with a KPJ, else the latest with a KPJ, else the latest."""
    candidates = (
        entries.filter(pl.col("worker_id").is_not_null())
        .select("_i", "worker_id", "event_date")
        .join(people.select("participation_id", "worker_id", "kpj", "fiscal_year"), on="worker_id")
        .with_columns(
            (pl.col("fiscal_year") == pl.col("event_date").dt.year().cast(pl.Int64))
            .fill_null(value=False)
            .alias("_same_year"),
            (pl.col("kpj").fill_null("") != "").alias("_has_kpj"),
        )
        .sort(
            ["_i", "_has_kpj", "_same_year", "fiscal_year", "participation_id"],
            descending=[False, True, True, True, True],
        )
        .unique("_i", keep="first", maintain_order=True)
        .select("_i", "participation_id")
    )
    return entries.join(candidates, on="_i", how="left")


def _claims(entries: pl.DataFrame, claims: pl.DataFrame) -> pl.DataFrame:
    """The recorded claim each entry points to (`claim_id` …) and what it says (`_fit`:
    settle / unchanged / paid_differs / rejected)."""
    window = EVENT_WINDOW_DAYS
    found = (
        entries.filter(pl.col("worker_id").is_not_null() & pl.col("kind").is_not_null())
        .select("_i", "worker_id", "kind", "event_date", "amount")
        .join(
            claims.rename({"event_date": "claim_event_date", "paid_amount": "claim_paid_amount"}),
            on=["worker_id", "kind"],
        )
        .with_columns(
            (pl.col("event_date") - pl.col("claim_event_date")).dt.total_days().abs().alias("_days")
        )
        .filter(pl.col("_days") <= window)
    )
    paid = pl.col("state") == ClaimState.DIBAYAR.value
    fit = (
        pl.when(pl.col("state").is_in([str(s) for s in OPEN]))
        .then(pl.lit("settle"))
        .when(paid & (pl.col("claim_paid_amount") == pl.col("amount")).fill_null(value=False))
        .then(pl.lit("unchanged"))
        .when(paid)
        .then(pl.lit("paid_differs"))
        .otherwise(pl.lit("rejected"))
    )
    rank = pl.col("_fit").replace_strict(
        {"settle": 0, "unchanged": 0, "paid_differs": 1, "rejected": 2}, return_dtype=pl.Int32
    )
    best = (
        found.with_columns(fit.alias("_fit"))
        .with_columns(rank.alias("_rank"))
        .sort(["_i", "_rank", "_days", "claim_id"])
        .unique("_i", keep="first", maintain_order=True)
        .select(
            "_i",
            "claim_id",
            pl.col("number").alias("claim"),
            pl.col("state").alias("claim_state"),
            "claim_event_date",
            "claim_paid_amount",
            "_fit",
        )
    )
    return entries.join(best, on="_i", how="left")


def classify(
    report: pl.DataFrame,
    *,
    people: pl.DataFrame,
    workers: pl.DataFrame,
    claims: pl.DataFrame,
    deaths: pl.DataFrame,
    on: datetime.date,
) -> pl.DataFrame:
    """The checked rows (`ROW_COLUMNS`), in the file's order. See the module's docstring."""
    by_nik = pl.concat(
        [
            workers.select("nik", "worker_id"),
            people.select("nik", "worker_id"),
        ]
    )
    entries = (
        report.with_row_index("_i")
        .with_columns(cell_errors(report, on=on).alias("errors"))
        .join(_first_per(people, "kpj", "worker_id", "_by_kpj"), on="kpj", how="left")
        .with_columns(pl.when(pl.col("nik_error").is_null()).then(pl.col("nik")).alias("_nik"))
        .join(
            _first_per(by_nik, "nik", "worker_id", "_by_nik").rename({"nik": "_nik"}),
            on="_nik",
            how="left",
        )
        .with_columns(pl.coalesce("_by_kpj", "_by_nik").alias("worker_id"))
    )
    entries = _claims(_participation(entries, people), claims).join(
        deaths.unique("worker_id"), on="worker_id", how="left"
    )
    death_kinds = [ClaimKind.JKM.value, ClaimKind.JKK_DEATH.value]
    other_death = pl.col("kind").is_in(death_kinds) & (
        (pl.col("event_date") - pl.col("death_on")).dt.total_days().abs() > EVENT_WINDOW_DAYS
    )
    differs = (
        pl.col("_by_kpj").is_not_null()
        & pl.col("_by_nik").is_not_null()
        & (pl.col("_by_kpj") != pl.col("_by_nik"))
    )
    rules: list[tuple[pl.Expr, pl.Expr]] = [
        (pl.col("errors").list.len() > 0, pl.col("errors").list.first()),
        (differs, pl.lit(Code.IDENTITY_DIFFERS.value)),
        (pl.col("worker_id").is_null(), pl.lit(Code.UNKNOWN_WORKER.value)),
        (pl.col("participation_id").is_null(), pl.lit(Code.NOT_A_PARTICIPANT.value)),
        (pl.col("_fit") == "rejected", pl.lit(Code.CLAIM_REJECTED.value)),
        (pl.col("_fit") == "paid_differs", pl.lit(Code.PAID_AMOUNT_DIFFERS.value)),
        (
            (pl.col("_fit") == "settle") & (pl.col("paid_on") < pl.col("claim_event_date")),
            pl.lit(Code.PAID_BEFORE_EVENT.value),
        ),
        (pl.col("_fit") == "settle", pl.lit(Code.MATCHED.value)),
        (pl.col("_fit") == "unchanged", pl.lit(Code.UNCHANGED.value)),
        (other_death, pl.lit(Code.DEATH_OTHER_DATE.value)),
    ]
    code: Any = pl.when(pl.lit(value=False)).then(pl.lit(None, pl.String))
    for condition, value in rules:
        code = code.when(condition.fill_null(value=False)).then(value)
    entries = entries.with_columns(code.otherwise(pl.lit(Code.NEW.value)).alias("code"))
    entries = _duplicates(entries)
    status = (
        pl.col("code")
        .replace_strict(STATUS_OF, default=pl.lit(Status.PROBLEM.value), return_dtype=pl.String)
        .alias("status")
    )
    errors = (
        pl.when(pl.col("code") == pl.lit(Code.DUPLICATE_ROW.value))
        .then(pl.concat_list(pl.col("errors"), pl.lit([Code.DUPLICATE_ROW.value])))
        .when((pl.col("errors").list.len() == 0) & ~pl.col("code").is_in(list(STATUS_OF)))
        .then(pl.concat_list(pl.col("errors"), pl.col("code")))
        .otherwise(pl.col("errors"))
        .alias("errors")
    )
    entries = entries.with_columns(status, errors)
    return entries.sort("_i").select(*(pl.col(n).cast(t) for n, t in ROW_COLUMNS.items()))


def _duplicates(entries: pl.DataFrame) -> pl.DataFrame:
    """A row that would settle or record what an earlier row already does: DUPLICATE_ROW."""
    acting = pl.col("code").is_in([Code.MATCHED.value, Code.UNCHANGED.value, Code.NEW.value])
    key = (
        pl.when(pl.col("claim_id").is_not_null())
        .then(pl.lit("c") + pl.col("claim_id").cast(pl.String))
        .otherwise(
            pl.lit("w")
            + pl.col("worker_id").cast(pl.String)
            + pl.lit(":")
            + pl.col("kind")
            + pl.lit(":")
            + pl.col("event_date").cast(pl.String)
        )
    )
    repeated = (pl.col("_i") != pl.col("_i").min().over("_key")) & acting
    return (
        entries.with_columns(pl.when(acting).then(key).alias("_key"))
        .with_columns(
            pl.when(repeated.fill_null(value=False))
            .then(pl.lit(Code.DUPLICATE_ROW.value))
            .otherwise(pl.col("code"))
            .alias("code")
        )
        .drop("_key")
    )


def counts(rows: pl.DataFrame) -> dict[str, int]:
    """{rows_total, matched, new, unmatched, problems, unchanged}: `matched` counts the rows
    that match a recorded claim, the `unchanged` ones (already paid, same amount) included, so
    matched + new + unmatched + problems == rows_total."""
    got: dict[str, int] = {}
    if not rows.is_empty():
        got = {str(k): int(v) for k, v in rows.get_column("status").value_counts().iter_rows()}
    unchanged = got.get(Status.UNCHANGED, 0)
    return {
        "rows_total": rows.height,
        "matched": got.get(Status.MATCHED, 0) + unchanged,
        "new": got.get(Status.NEW, 0),
        "unmatched": got.get(Status.UNMATCHED, 0),
        "problems": got.get(Status.PROBLEM, 0),
        "unchanged": unchanged,
    }
