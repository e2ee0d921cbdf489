"""The input checked and the workers sorted into groups of interchangeable workers."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lindung.targeting.optimizer.problem import Quota, Source

_MAX_SOURCES = 62  # eligibility sets are Int64 bit masks


def desa_key(quota: Quota) -> tuple[str, str]:
    return quota.kecamatan, quota.desa or ""


def validate(workers: pl.DataFrame, sources: Sequence[Source], quotas: Sequence[Quota]) -> None:
    missing = {"worker_id", "priority", "kecamatan", "eligible"} - set(workers.columns)
    if missing:
        raise ValueError(f"workers lack columns: {sorted(missing)}")
    for column in ("worker_id", "priority", "kecamatan"):
        if workers[column].null_count():
            raise ValueError(f"workers.{column} has nulls")
    if workers.height and workers["priority"].min() < 0:  # type: ignore[operator]
        raise ValueError("priorities must be >= 0")
    if workers["worker_id"].n_unique() != workers.height:
        raise ValueError("worker_id must be unique")
    codes = [s.code for s in sources]
    if len(set(codes)) != len(codes):
        raise ValueError("source codes must be unique")
    if len(codes) > _MAX_SOURCES:
        raise ValueError(f"at most {_MAX_SOURCES} sources")
    for s in sources:
        if s.cost <= 0 or s.budget < 0 or (s.transport_cost is not None and s.transport_cost <= 0):
            raise ValueError(f"source {s.code}: costs must be > 0 and budget >= 0")
    names = [q.kecamatan for q in quotas if q.desa is None]
    if len(set(names)) != len(names):
        raise ValueError("one quota per kecamatan")
    desa_of = {q.desa: q.kecamatan for q in quotas if q.desa is not None}
    if len(desa_of) != len(quotas) - len(names):
        raise ValueError("one quota per desa")
    for q in quotas:
        if q.minimum < 0 or (q.maximum is not None and q.maximum < 0):
            raise ValueError(f"quota for {q.desa or q.kecamatan} must not be negative")
    if not desa_of:
        return
    if "desa" not in workers.columns:
        raise ValueError("workers lack the desa column that the desa quotas need")
    misplaced = workers.filter(
        pl.col("desa").cast(pl.String).is_in(list(desa_of))
        & (
            pl.col("kecamatan").cast(pl.String)
            != pl.col("desa")
            .cast(pl.String)
            .replace_strict(desa_of, default=None, return_dtype=pl.String)
        )
    )
    if misplaced.height:
        desa = misplaced["desa"][0]
        raise ValueError(f"workers of desa {desa} lie outside kecamatan {desa_of[desa]}")


def group_workers(
    workers: pl.DataFrame, codes: list[str], desa: list[str], *, by_sector: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sort the workers into groups of (kecamatan, quota'd desa, eligible set, transport),
    best first.

    ``desa`` lists the desa with a quota; a worker's ``_desa`` is its index there, -1 for the
    others; ``_transport`` is false for everyone unless ``by_sector``. Returns the sorted frame
    (worker_id, priority, kecamatan, _group, _pos) and one row per group (_group, kecamatan,
    _desa, _mask, _transport, _size, _offset) where ``_offset`` is the group's first row.
    """
    bits = [1 << i for i in range(len(codes))]
    mask = (
        pl.col("eligible")
        .fill_null([])
        .list.eval(pl.element().replace_strict(codes, bits, default=0, return_dtype=pl.Int64))
        .list.unique()
        .list.sum()
        .fill_null(0)
        .cast(pl.Int64)
    )
    keyed = workers.select(
        pl.col("worker_id").cast(pl.Int64),
        pl.col("priority").cast(pl.Int64),
        pl.col("kecamatan").cast(pl.String),
        mask.alias("_mask"),
        (
            pl.col("desa")
            .cast(pl.String)
            .replace_strict(desa, range(len(desa)), default=-1, return_dtype=pl.Int64)
            if desa
            else pl.lit(-1, dtype=pl.Int64)
        ).alias("_desa"),
        *(
            [pl.col("transport").cast(pl.Boolean).fill_null(value=False).alias("_transport")]
            if by_sector
            else []
        ),
    )
    key = ["kecamatan", "_desa", "_mask", *(["_transport"] if by_sector else [])]
    groups = (
        keyed.group_by(*key)
        .agg(pl.len().cast(pl.Int64).alias("_size"))
        .sort(*key)
        .with_row_index("_group")
        .with_columns(
            pl.col("_group").cast(pl.Int64),
            (pl.col("_size").cum_sum() - pl.col("_size")).alias("_offset"),
        )
    )
    if not by_sector:
        groups = groups.with_columns(pl.lit(value=False, dtype=pl.Boolean).alias("_transport"))
    frame = (
        keyed.join(groups.select(*key, "_group"), on=key)
        .sort(["_group", "priority", "worker_id"], descending=[False, True, False])
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).over("_group").alias("_pos"))
    )
    return frame, groups
