"""Changes: what an import does to the workers the registry already has, field by field.

    changes, counts = field_changes(plan, existing)

`plan` is decide's output, `existing` the registry frame it was decided against. `changes` has
one row per updated worker and changed field (`CHANGES_SCHEMA`): the registry's value `before`
and the file's value `after` as text (ISO dates, codes, whole numbers, "true"/"false"; null for
empty). `counts` gives per field how many workers it changes (`changed`) and how many keep the
registry's value because the file leaves it empty or unreadable (`kept`): an import never blanks
a field (see decide), so a blank in the file shows up here, never as an erased value.

Pure Polars: one filter per field over the updated rows, one join for the kept counts.
"""

from typing import TypedDict

import polars as pl

from lindung.registry.pipeline.codes import RowStatus
from lindung.registry.pipeline.validate import UPDATABLE

CHANGES_SCHEMA = {
    "_row": pl.Int64,
    "worker_id": pl.Int64,
    "nik": pl.String,
    "name": pl.String,  # the registry's name (before the import)
    "field": pl.String,
    "before": pl.String,
    "after": pl.String,
}
SOURCES = "sources"  # the pseudo-field of decide's `changed`: newly listed under this source


class FieldCount(TypedDict):
    changed: int
    kept: int


def _has_value(column: str, dtype: pl.DataType) -> pl.Expr:
    """The registry holds something an empty cell could have erased: text that is not blank,
    a number or date, a yes (a no is what a missing answer means too)."""
    if dtype == pl.String:
        return pl.col(column).is_not_null() & (pl.col(column) != "")
    if dtype == pl.Boolean:
        return pl.col(column).fill_null(False)
    return pl.col(column).is_not_null()


def _text(column: str) -> pl.Expr:
    """A value as the text stored in `changes` (dates ISO, booleans true/false; "" as null)."""
    text = pl.col(column).cast(pl.String)
    return pl.when(text == "").then(None).otherwise(text)


def field_changes(
    plan: pl.DataFrame, existing: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, FieldCount]]:
    """(changes, counts) of `plan` against `existing`; see the module's docstring."""
    fields = list(UPDATABLE)
    old = existing.select(
        pl.col("id").alias("worker_id"),
        pl.col("name").alias("_old_name_"),
        *(pl.col(f).alias(f"_old_{f}") for f in fields),
    )
    known = plan.select(
        "_row", "worker_id", "nik", "status", "changed", *fields, *(f"given_{f}" for f in fields)
    ).filter(pl.col("status").is_in([RowStatus.UPDATED.value, RowStatus.UNCHANGED.value]))
    updated = known.filter(pl.col("status") == RowStatus.UPDATED.value).join(
        old, on="worker_id", how="inner"
    )
    parts = [
        updated.filter(pl.col("changed").list.contains(field)).select(
            pl.col("_row").cast(pl.Int64),
            pl.col("worker_id").cast(pl.Int64),
            pl.col("nik"),
            pl.col("_old_name_").alias("name"),
            pl.lit(field).alias("field"),
            _text(f"_old_{field}").alias("before"),
            _text(field).alias("after"),
            pl.lit(order).alias("_order"),
        )
        for order, field in enumerate(fields)
    ]
    empty = pl.DataFrame(schema={**CHANGES_SCHEMA, "_order": pl.Int32})
    changes = pl.concat([empty, *parts], how="vertical_relaxed").sort("_row", "_order")
    changes = changes.drop("_order")
    changed = updated.select(
        *(pl.col("changed").list.contains(f).sum().alias(f) for f in [*fields, SOURCES])
    ).row(0, named=True)
    kept = (
        known.select("worker_id", *(f"given_{f}" for f in fields))
        .join(old, on="worker_id", how="inner")
        .select(
            (~pl.col(f"given_{f}") & _has_value(f"_old_{f}", existing.schema[f])).sum().alias(f)
            for f in fields
        )
        .row(0, named=True)
    )
    counts: dict[str, FieldCount] = {}
    for field in [*fields, SOURCES]:
        n_changed, n_kept = int(changed[field] or 0), int(kept.get(field) or 0)
        if n_changed or n_kept:
            counts[field] = {"changed": n_changed, "kept": n_kept}
    return changes, counts
