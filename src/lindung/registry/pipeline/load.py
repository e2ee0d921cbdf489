"""Load: the only pipeline step that touches the database, in bulk.

`existing_workers` reads the registry into a frame (COPY on PostgreSQL, one cursor on SQLite);
`write` applies a decided plan inside the caller's transaction: new workers by COPY (PostgreSQL)
or executemany (SQLite), updates as one executemany of COALESCE updates, source links, an audit
event per updated worker and the possible-duplicate pairs. Never a per-row ORM save.
"""

import datetime
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection, transaction

from lindung.audit.actions import Action
from lindung.audit.models import Event
from lindung.bulk import CHUNK, insert_frame, read_frame, sqlite_rows
from lindung.registry.models import PossibleDuplicate, Worker, WorkerSource
from lindung.registry.name_index import write_tokens
from lindung.registry.pipeline.codes import RowStatus
from lindung.registry.pipeline.decide import EXISTING_SCHEMA
from lindung.registry.pipeline.validate import UPDATABLE, WORKER_COLUMNS

WORKER_TABLE = Worker._meta.db_table
SOURCE_TABLE = WorkerSource._meta.db_table


def existing_workers(source_id: int | None) -> pl.DataFrame:
    """Every worker of the registry with the fields an import compares (EXISTING_SCHEMA);
    `has_source` tells whether the worker is already listed under `source_id`."""
    columns = [c for c in EXISTING_SCHEMA if c not in ("has_source", "merged")]
    select = ", ".join(f"w.{c}" for c in columns)
    sql = (
        f"SELECT {select}, ws.id IS NOT NULL AS has_source, "  # noqa: S608 - fixed names
        f"w.merged_into_id IS NOT NULL AS merged FROM {WORKER_TABLE} w "
        f"LEFT JOIN {SOURCE_TABLE} ws ON ws.worker_id = w.id AND ws.source_id = %s"
    )
    return read_frame(sql, EXISTING_SCHEMA, [source_id if source_id is not None else -1])


@dataclass
class Written:
    new: int
    updated: int
    source_links: int
    duplicate_pairs: int
    events: int


def write(
    plan: pl.DataFrame,
    pairs: pl.DataFrame,
    existing: pl.DataFrame,
    *,
    batch: uuid.UUID,
    source_id: int,
    actor: Any,
    actor_label: str,
    now: datetime.datetime,
    progress: Callable[[str, int, int], None] | None = None,
) -> Written:
    """Apply `plan` (from decide) to the registry. Must run inside the caller's transaction.

    `progress(step, done, total)` is called as each part starts, with the rows it writes:
    `write_new`, `write_updated`, `write_sources`, `write_history`, `write_duplicates`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("load.write must run inside the import's transaction")

    def step(name: str, total: int) -> None:
        if progress is not None:
            progress(name, 0, total)

    new = plan.filter(pl.col("status") == RowStatus.NEW.value)
    updated = plan.filter(pl.col("status") == RowStatus.UPDATED.value)
    step("write_new", new.height)
    _insert_workers(new, batch=batch, now=now)
    ids = dict(Worker.objects.filter(created_batch=batch).values_list("nik", "id"))
    step("write_updated", updated.height)
    _update_workers(updated, batch=batch, now=now)
    write_tokens(
        new.with_columns(worker_id=pl.col("nik").replace_strict(ids, default=None)),
        updated.filter(pl.col("changed").list.set_intersection(["name", "desa_id"]).list.len() > 0)
        .get_column("worker_id")
        .to_list(),
    )
    links = pl.concat(
        [
            new.select(
                pl.col("nik")
                .replace_strict(ids, default=None, return_dtype=pl.Int64)
                .cast(pl.Int64)
                .alias("worker_id")
            ),
            updated.filter(pl.col("changed").list.contains("sources")).select(
                pl.col("worker_id").cast(pl.Int64)
            ),
        ]
    )
    step("write_sources", links.height)
    # In worker order the (worker, source) index grows at its end.
    _insert_links(links.get_column("worker_id").sort().to_list(), source_id=source_id, batch=batch)
    step("write_history", updated.height)
    events = _update_events(updated, existing, batch=batch, actor=actor, label=actor_label)
    step("write_duplicates", pairs.height)
    duplicates = _insert_pairs(pairs, ids, batch=batch)
    return Written(new.height, updated.height, links.height, duplicates, events)


def _worker_frame(new: pl.DataFrame, *, batch: uuid.UUID, now: datetime.datetime) -> pl.DataFrame:
    blank = ("no_kk", "birth_place", "phone", "address")
    return new.select(
        *(pl.col(c).fill_null("") if c in blank else pl.col(c) for c in WORKER_COLUMNS),
        pl.lit("aktif").alias("status"),
        pl.lit(_uuid_value(batch)).alias("created_batch"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    )


_INSERT_COLUMNS = (*WORKER_COLUMNS, "status", "created_batch", "created_at", "updated_at")


def _insert_workers(new: pl.DataFrame, *, batch: uuid.UUID, now: datetime.datetime) -> None:
    if new.is_empty():
        return
    # In name order most index inserts append near the last one (the list indexes all lead with
    # a region code and the name key), instead of landing on random pages.
    frame = _worker_frame(new.sort("name_key", "nik"), batch=batch, now=now)
    insert_frame(WORKER_TABLE, frame.select(_INSERT_COLUMNS))


def _update_workers(updated: pl.DataFrame, *, batch: uuid.UUID, now: datetime.datetime) -> None:
    """Set the values the file gives (COALESCE keeps the rest) on the updated workers."""
    if updated.is_empty():
        return
    fields = list(UPDATABLE)
    given = updated.select(
        *(pl.when(pl.col(f"given_{f}")).then(pl.col(f)).otherwise(None).alias(f) for f in fields),
        pl.when(pl.col("given_desa_id")).then(pl.col("kecamatan_id")).alias("kecamatan_id"),
        pl.when(pl.col("given_desa_id")).then(pl.col("kabupaten_id")).alias("kabupaten_id"),
        pl.when(pl.col("given_name")).then(pl.col("name_key")).alias("name_key"),
        pl.lit(_uuid_value(batch)).alias("batch"),
        pl.lit(now).alias("now"),
        pl.col("worker_id"),
    )
    targets = [*fields, "kecamatan_id", "kabupaten_id", "name_key"]
    sets = ", ".join(f"{c} = COALESCE(%s, {c})" for c in targets)
    sql = (
        f"UPDATE {WORKER_TABLE} SET {sets}, "  # noqa: S608 - fixed names
        "updated_batch = %s, updated_at = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, given.height, CHUNK):
            chunk = given.slice(start, CHUNK)
            rows = chunk.rows() if connection.vendor == "postgresql" else sqlite_rows(chunk)
            cursor.executemany(sql, rows)


def _insert_links(worker_ids: list[int], *, source_id: int, batch: uuid.UUID) -> None:
    links = pl.DataFrame(
        {"worker_id": worker_ids, "source_id": source_id, "batch": _uuid_value(batch)},
        schema={"worker_id": pl.Int64, "source_id": pl.Int64, "batch": pl.String},
    )
    insert_frame(SOURCE_TABLE, links)


def _uuid_value(value: uuid.UUID) -> str:
    """A UUID as the database column holds it: PostgreSQL's uuid type, SQLite's 32 hex chars."""
    return str(value) if connection.vendor == "postgresql" else value.hex


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _update_events(
    updated: pl.DataFrame, existing: pl.DataFrame, *, batch: uuid.UUID, actor: Any, label: str
) -> int:
    """One audit event per updated worker with the changed fields before and after."""
    if updated.is_empty():
        return 0
    fields = list(UPDATABLE)
    old = existing.select(
        pl.col("id").alias("worker_id"), *(pl.col(f).alias(f"old_{f}") for f in fields)
    )
    joined = updated.select("worker_id", "changed", *fields).join(old, on="worker_id", how="left")
    events = []
    for row in joined.iter_rows(named=True):
        changed = [f for f in row["changed"] if f != "sources"]
        before = {f: _json_value(row[f"old_{f}"]) for f in changed}
        after = {f: _json_value(row[f]) for f in changed}
        if "sources" in row["changed"]:
            after["sources"] = "+"
        events.append(
            Event(
                actor=actor,
                actor_label=label,
                action=Action.WORKER_IMPORTED_UPDATE,
                object_type="registry.worker",
                object_id=str(row["worker_id"]),
                object_repr=str(row["name"] or "")[:200],
                before=before,
                after=after,
                batch=batch,
            )
        )
    Event.objects.bulk_create(events, batch_size=5_000)
    return len(events)


def _insert_pairs(pairs: pl.DataFrame, ids: dict[str, int], *, batch: uuid.UUID) -> int:
    if pairs.is_empty():
        return 0
    objects = []
    for nik, other_id, score in pairs.iter_rows():
        worker_id = ids.get(nik)
        if worker_id is None or worker_id == other_id:
            continue
        low, high = sorted((worker_id, other_id))
        objects.append(
            PossibleDuplicate(worker_id=low, other_id=high, score=min(int(score), 100), batch=batch)
        )
    PossibleDuplicate.objects.bulk_create(objects, batch_size=5_000, ignore_conflicts=True)
    return len(objects)


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
