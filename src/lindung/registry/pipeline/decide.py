"""Decide: compare checked rows with the registry and give each row its outcome.

    plan = decide(checked, existing)

`existing` holds the registry's workers (EXISTING_SCHEMA) for the NIKs of the file, or all of
them. A row with an error is `rejected`; a NIK the registry does not know is `new`; a known NIK
is `updated` when a value the file gives differs from the registry's or the worker is not yet
listed under this import's source, else `unchanged`. What counts is the value an update would
store: a field is compared only when it is given (`given_<field>`, see validate.UPDATABLE) and
not null, so an empty cell or a value that cannot be read ("0819" as a phone) never erases or
changes a value, and importing the same file again reports no row new or updated.

New rows are also compared with the registry's other workers: a similar name, the same birth
date and the same kecamatan (workers move between neighbouring desa, and the kecamatan is the
neighbourhood that needs no map) make a POSSIBLE_DUPLICATE warning and a pair to review.

With `scope` (the region codes of a region-bound uploader) a known NIK whose worker lives
outside the scope is rejected with NIK_OUTSIDE_SCOPE: nothing of that worker changes and the
row says nothing about them (no `changed`, no status but `rejected`). Such rows become move
requests (`requested_moves`) that the worker's own wilayah decides. The POSSIBLE_DUPLICATE
warning is given only for a similar worker inside the scope; pairs with workers outside it are
still kept, for those who see both workers.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from rapidfuzz import fuzz

from lindung.regions import scope as region_scope
from lindung.registry.pipeline.codes import RowError, RowStatus, RowWarning
from lindung.registry.pipeline.validate import UPDATABLE

# Name similarity (rapidfuzz token_sort_ratio over name keys, 0-100) from which two workers
# with the same birth date in the same kecamatan may be one person.
DUPLICATE_NAME_SCORE = 85.0

EXISTING_SCHEMA = {
    "id": pl.Int64,
    "nik": pl.String,
    "no_kk": pl.String,
    "name": pl.String,
    "name_key": pl.String,
    "sex": pl.String,
    "birth_date": pl.Date,
    "birth_place": pl.String,
    "phone": pl.String,
    "address": pl.String,
    "kabupaten_id": pl.String,
    "kecamatan_id": pl.String,
    "desa_id": pl.String,
    "occupation": pl.String,
    "income": pl.Int64,
    "desil": pl.Int16,
    "disability": pl.Boolean,
    "female_head": pl.Boolean,
    "has_source": pl.Boolean,  # already listed under the importing source
    "merged": pl.Boolean,  # merged into another worker: not a duplicate candidate
}


def decide(
    checked: pl.DataFrame,
    existing: pl.DataFrame,
    *,
    scope: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(plan, pairs): the checked rows with `status`, `worker_id` and `changed` (the names of
    the fields an update changes), and the possible-duplicate pairs (`nik`, `other_id`,
    `score`) of new rows. `scope`: see the module's docstring (None: the whole registry).
    `progress(rows done, rows)` is called after the comparison and after the duplicate search.
    """
    old = existing.select(
        pl.col("nik"),
        pl.col("id").alias("worker_id"),
        pl.col("has_source").alias("_has_source"),
        *(pl.col(field).alias(f"_old_{field}") for field in UPDATABLE),
    )
    plan = checked.join(old, on="nik", how="left", maintain_order="left")
    if scope is not None:
        outside = (
            (pl.col("errors").list.len() == 0)
            & pl.col("worker_id").is_not_null()
            & ~region_scope.expr(scope, "_old_desa_id")
        )
        plan = plan.with_columns(
            pl.when(outside)
            .then(pl.col("errors").list.concat(pl.lit([RowError.NIK_OUTSIDE_SCOPE.value])))
            .otherwise(pl.col("errors"))
            .alias("errors")
        )
    valid = pl.col("errors").list.len() == 0
    changed = pl.concat_list(
        [
            pl.when(
                valid
                & pl.col("worker_id").is_not_null()
                & pl.col(f"given_{field}")
                & pl.col(field).is_not_null()
                & pl.col(field).ne_missing(pl.col(f"_old_{field}"))
            ).then(pl.lit(field))
            for field in UPDATABLE
        ]
        + [
            pl.when(valid & pl.col("worker_id").is_not_null() & ~pl.col("_has_source")).then(
                pl.lit("sources")
            )
        ]
    ).list.drop_nulls()
    plan = plan.with_columns(changed.alias("changed"))
    plan = plan.with_columns(
        pl.when(~valid)
        .then(pl.lit(RowStatus.REJECTED.value))
        .when(pl.col("worker_id").is_null())
        .then(pl.lit(RowStatus.NEW.value))
        .when(pl.col("changed").list.len() > 0)
        .then(pl.lit(RowStatus.UPDATED.value))
        .otherwise(pl.lit(RowStatus.UNCHANGED.value))
        .alias("status")
    )
    if progress is not None:
        progress(checked.height // 2, checked.height)
    pairs = _possible_duplicates(plan, existing)
    if progress is not None:
        progress(checked.height, checked.height)
    # The uploader is told only about similar workers they may see themselves.
    shown = pairs if scope is None else pairs.filter(region_scope.expr(scope, "other_desa_id"))
    pairs = pairs.select("nik", "other_id", "score")
    if shown.height:
        flagged = shown.select("nik").unique().with_columns(pl.lit(True).alias("_dup"))
        plan = plan.join(flagged, on="nik", how="left", maintain_order="left").with_columns(
            pl.when(pl.col("_dup").fill_null(False))
            .then(pl.col("warnings").list.concat(pl.lit([RowWarning.POSSIBLE_DUPLICATE.value])))
            .otherwise(pl.col("warnings"))
            .alias("warnings")
        )
    helpers = [c for c in plan.columns if c.startswith("_old_") or c in ("_has_source", "_dup")]
    return plan.drop(helpers), pairs


def _possible_duplicates(plan: pl.DataFrame, existing: pl.DataFrame) -> pl.DataFrame:
    empty = pl.DataFrame(
        schema={
            "nik": pl.String,
            "other_id": pl.Int64,
            "score": pl.Int64,
            "other_desa_id": pl.String,
        }
    )
    new = plan.filter(pl.col("status") == RowStatus.NEW.value).select(
        "nik", "name_key", "birth_date", "kecamatan_id"
    )
    if new.is_empty() or existing.is_empty():
        return empty
    others = existing.filter(~pl.col("merged")).select(
        pl.col("id").alias("other_id"),
        pl.col("nik").alias("other_nik"),
        pl.col("name_key").alias("other_name_key"),
        pl.col("desa_id").alias("other_desa_id"),
        "birth_date",
        "kecamatan_id",
    )
    candidates = new.join(others, on=["birth_date", "kecamatan_id"], how="inner").filter(
        pl.col("nik") != pl.col("other_nik")
    )
    if candidates.is_empty():
        return empty
    scores = [
        round(fuzz.token_sort_ratio(a or "", b or ""))
        for a, b in candidates.select("name_key", "other_name_key").iter_rows()
    ]
    return (
        candidates.with_columns(pl.Series("score", scores, dtype=pl.Int64))
        .filter(pl.col("score") >= DUPLICATE_NAME_SCORE)
        .select("nik", "other_id", "score", "other_desa_id")
    )


@dataclass(frozen=True)
class RequestedMove:
    """A NIK_OUTSIDE_SCOPE row as a request: the worker, the row's desa and the values the row
    gives (by worker field name: dates as ISO text; the desa apart)."""

    worker_id: int
    desa: str
    fields: dict[str, Any]


# The worker fields a move request carries, by UPDATABLE name (the desa travels apart).
_ROW_FIELDS = tuple(f for f in UPDATABLE if f != "desa_id")


def requested_moves(plan: pl.DataFrame) -> list[RequestedMove]:
    """The rows of `plan` whose only error is NIK_OUTSIDE_SCOPE, one per worker."""
    rows = plan.filter(
        pl.col("errors").list.len() == 1,
        pl.col("errors").list.first() == RowError.NIK_OUTSIDE_SCOPE.value,
        pl.col("worker_id").is_not_null(),
        pl.col("desa_id").is_not_null(),
    ).unique("worker_id", keep="first", maintain_order=True)
    moves = []
    for row in rows.select(
        "worker_id", "desa_id", *_ROW_FIELDS, *(f"given_{f}" for f in _ROW_FIELDS)
    ).iter_rows(named=True):
        fields = {
            f: _json_value(row[f]) for f in _ROW_FIELDS if row[f"given_{f}"] and row[f] is not None
        }
        moves.append(RequestedMove(int(row["worker_id"]), str(row["desa_id"]), fields))
    return moves


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value
