"""Checking an answer's rows against its batch: pure Polars, no database.

    check_rows(frame, items=..., holders=..., fiscal_year=2027, start=date(2027, 1, 1))

`frame` is what `read.read_answer` gives; `items` the batch's workers (nik, participation_id,
worker_id, state, known_kpj); `holders` every KPJ already recorded (kpj, worker_id). The result
has one row per answer row: row, nik, kpj, status, effective, reason, errors (codes), the
participation it answers, and `change` (whether committing it changes anything).
"""

import datetime
import re
from enum import StrEnum

import polars as pl

from lindung.enrollment.models import State
from lindung.enrollment.states import AWAITING_ANSWER
from lindung.registry.pipeline.values import parse_date


class RowCode(StrEnum):
    KPJ_INVALID = "KPJ_INVALID"
    NIK_NOT_IN_BATCH = "NIK_NOT_IN_BATCH"
    STATUS_UNKNOWN = "STATUS_UNKNOWN"
    DATE_INVALID = "DATE_INVALID"
    DUPLICATE_IN_FILE = "DUPLICATE_IN_FILE"
    KPJ_CONFLICT = "KPJ_CONFLICT"


# What branches write, lower case, checked in this order: "sudah terdaftar aktif" is already
# active before it is registered; "tidak terdaftar" is rejected before it is registered.
_ALREADY_ACTIVE = re.compile(
    r"sudah (terdaftar|aktif|menjadi peserta)|terdaftar aktif|peserta aktif|ganda|double|"
    r"duplikat|aktif di|sudah ada|existing|mandiri aktif|penerima upah|\bpu\b|already"
)
_REJECTED = re.compile(
    r"tolak|gagal|tidak (valid|sesuai|terdaftar|ditemukan|dapat)|bukan|invalid|salah|"
    r"reject|failed|belum valid|tidak lolos|nik luar|luar (daerah|wilayah|kabupaten)"
)
_REGISTERED = re.compile(
    r"terdaftar|berhasil|sukses|diterima|aktif|ok\b|^ok$|selesai|valid|registered|success"
)
KPJ_DIGITS = 11


def classify(status: str | None, note: str | None) -> str | None:
    """The state a branch's status text means (TERDAFTAR, DITOLAK, GANDA_AKTIF), or None when
    it cannot be told. "Already active" in either the status or the note wins ("Gagal" with
    "Sudah terdaftar aktif"); otherwise the status decides, and an empty status the note."""
    texts = [" ".join((text or "").lower().split()) for text in (status, note)]
    if any(_ALREADY_ACTIVE.search(text) for text in texts):
        return State.GANDA_AKTIF.value
    for text in texts:
        if not text:
            continue
        if _REJECTED.search(text):
            return State.DITOLAK.value
        if _REGISTERED.search(text):
            return State.TERDAFTAR.value
        return None
    return None


def clean_kpj(raw: pl.Expr) -> pl.Expr:
    """A KPJ as digits: spaces, dots and dashes removed, a spreadsheet number's ".0" dropped."""
    text = raw.str.strip_chars().str.strip_chars("'\"").str.replace(r"\.0+$", "")
    digits = text.str.replace_all(r"[\s.\-/]", "")
    return pl.when(digits.str.len_chars() > 0).then(digits)


def check_rows(
    frame: pl.DataFrame,
    *,
    items: pl.DataFrame,
    holders: pl.DataFrame,
    fiscal_year: int,
    start: datetime.date,
) -> pl.DataFrame:
    distinct = frame.select("status", "note").unique()
    states = {(s, n): classify(s, n) for s, n in distinct.iter_rows()}
    status_map = pl.DataFrame(
        [(s, n, v) for (s, n), v in states.items()],
        schema={"status": pl.String, "note": pl.String, "state": pl.String},
        orient="row",
    )
    nik = (
        pl.col("nik")
        .str.strip_chars()
        .str.strip_chars("'\"")
        .str.replace(r"\.0+$", "")
        .str.replace_all(r"[\s.\-]", "")
    )
    dates = parse_date(frame.get_column("effective").fill_null(""))
    rows = (
        frame.select(
            pl.col("_row").alias("row"),
            nik.alias("nik"),
            clean_kpj(pl.col("kpj")).alias("kpj"),
            pl.col("status"),
            pl.col("note"),
            pl.col("effective").alias("effective_text"),
        )
        .with_columns(
            dates.get_column("date").alias("effective"),
            dates.get_column("date_unreadable").alias("_date_unreadable"),
        )
        .join(status_map, on=["status", "note"], how="left", nulls_equal=True)
        .join(items, on="nik", how="left")
    )
    first_day, last_day = datetime.date(fiscal_year, 1, 1), datetime.date(fiscal_year, 12, 31)
    registered = pl.col("state") == State.TERDAFTAR.value
    kpj_shape_ok = pl.col("kpj").str.contains(rf"^\d{{{KPJ_DIGITS}}}$")
    # a KPJ given for two NIKs in the file
    shared = (
        rows.filter(pl.col("kpj").is_not_null() & kpj_shape_ok.fill_null(value=False))
        .group_by("kpj")
        .agg(pl.col("nik").n_unique().alias("_niks"))
        .filter(pl.col("_niks") > 1)
        .get_column("kpj")
    )
    held = holders.rename({"worker_id": "_holder"}).unique("kpj")
    rows = rows.join(held, on="kpj", how="left")
    conflict = (
        pl.col("kpj").is_in(shared.to_list())
        # a registered worker answered otherwise: a person must look
        | ((pl.col("before_state") == State.TERDAFTAR.value) & ~registered)
        | (pl.col("_holder").is_not_null() & (pl.col("_holder") != pl.col("worker_id")))
        | (
            (pl.col("known_kpj").fill_null("") != "")
            & pl.col("kpj").is_not_null()
            & (pl.col("known_kpj") != pl.col("kpj"))
        )
    )
    codes = {
        RowCode.NIK_NOT_IN_BATCH: pl.col("participation_id").is_null()
        | ~pl.col("before_state").is_in(sorted(AWAITING_ANSWER)),
        RowCode.DUPLICATE_IN_FILE: pl.col("nik").is_not_null()
        & (pl.col("nik").count().over("nik") > 1),
        RowCode.STATUS_UNKNOWN: pl.col("state").is_null(),
        RowCode.KPJ_INVALID: (pl.col("kpj").is_not_null() & ~kpj_shape_ok.fill_null(value=False))
        | (registered & pl.col("kpj").is_null()),
        RowCode.DATE_INVALID: pl.col("_date_unreadable").fill_null(value=False)
        | (
            pl.col("effective").is_not_null() & ~pl.col("effective").is_between(first_day, last_day)
        ),
        RowCode.KPJ_CONFLICT: conflict.fill_null(value=False),
    }
    errors = pl.concat_list(
        [
            pl.when(condition.fill_null(value=False)).then(pl.lit(code.value))
            for code, condition in codes.items()
        ]
    ).list.drop_nulls()
    effective = pl.when(registered).then(pl.col("effective").fill_null(pl.lit(start)))
    reason = (
        pl.when(pl.col("state") != State.TERDAFTAR.value)
        .then(pl.coalesce(pl.col("note"), pl.col("status")).str.slice(0, 300))
        .otherwise(pl.lit(""))
    )
    checked = rows.with_columns(
        errors.alias("errors"),
        effective.alias("effective"),
        reason.fill_null("").alias("reason"),
        pl.col("kpj").fill_null("").alias("kpj"),
        pl.coalesce(pl.col("kpj"), pl.col("known_kpj"), pl.lit("")).alias("kpj_after"),
    )
    same = (
        (pl.col("before_state") == pl.col("state"))
        & (pl.col("known_kpj").fill_null("") == pl.col("kpj_after"))
        & (
            (pl.col("before_effective") == pl.col("effective"))
            | (pl.col("before_effective").is_null() & pl.col("effective").is_null())
        )
    )
    return (
        checked.with_columns(
            (pl.col("errors").list.len() == 0).alias("valid"),
        )
        .with_columns(
            (pl.col("valid") & ~same.fill_null(value=False)).alias("change"),
        )
        .select(
            "row",
            "nik",
            "kpj",
            "state",
            "effective",
            "reason",
            "errors",
            "valid",
            "change",
            "kpj_after",
            "participation_id",
            "worker_id",
            "before_state",
            "known_kpj",
            "effective_text",
        )
    )
