"""Load: the only pipeline step that touches the database, in bulk.

`existing_workers` reads the registry into a frame (COPY on PostgreSQL, one cursor on SQLite);
`write` applies a decided plan inside the caller's transaction: new workers by COPY (PostgreSQL)
or executemany (SQLite), updates as one executemany of COALESCE updates, source links, an audit
event per updated worker and the possible-duplicate pairs. Never a per-row ORM save.
"""

import datetime
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection, transaction

from lindung.audit.models import Event
from lindung.registry.models import PossibleDuplicate, Worker, WorkerSource
from lindung.registry.pipeline.codes import RowStatus
from lindung.registry.pipeline.decide import EXISTING_SCHEMA
from lindung.registry.pipeline.validate import UPDATABLE, WORKER_COLUMNS

WORKER_TABLE = Worker._meta.db_table
SOURCE_TABLE = WorkerSource._meta.db_table
_CHUNK = 20_000


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
    source = source_id if source_id is not None else -1
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            literal = sql.replace("%s", str(int(source)))
            with cursor.cursor.copy(f"COPY ({literal}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            buffer.seek(0)
            if not buffer.getbuffer().nbytes:
                return pl.DataFrame(schema=EXISTING_SCHEMA)
            text_schema = {
                name: (pl.String if dtype in (pl.Date, pl.Boolean) else dtype)
                for name, dtype in EXISTING_SCHEMA.items()
            }
            frame = pl.read_csv(
                buffer, has_header=False, new_columns=list(EXISTING_SCHEMA), schema=text_schema
            )
            return frame.with_columns(
                pl.col("birth_date").str.to_date("%Y-%m-%d"),
                *(pl.col(c) == "t" for c in ("disability", "female_head", "has_source", "merged")),
            )
        cursor.execute(sql, [source])
        raw = {
            name: pl.Int64 if dtype in (pl.Boolean, pl.Int16) else dtype
            for name, dtype in EXISTING_SCHEMA.items()
        }
        # Django's SQLite connection turns DATE columns into datetime.date already. Rows come
        # in chunks: a million Python tuples at once would double the import's peak memory.
        frames = [pl.DataFrame(schema=raw)]
        while rows := cursor.fetchmany(_CHUNK * 5):
            frames.append(pl.DataFrame(rows, schema=raw, orient="row"))
    frame = pl.concat(frames, rechunk=True)
    return frame.with_columns(
        pl.col("desil").cast(pl.Int16),
        *(
            pl.col(c).cast(pl.Boolean)
            for c in ("disability", "female_head", "has_source", "merged")
        ),
    )


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
    progress: Callable[[str], None] | None = None,
) -> Written:
    """Apply `plan` (from decide) to the registry. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("load.write must run inside the import's transaction")
    new = plan.filter(pl.col("status") == RowStatus.NEW.value)
    updated = plan.filter(pl.col("status") == RowStatus.UPDATED.value)
    if progress:
        progress("new")
    _insert_workers(new, batch=batch, now=now)
    ids = dict(Worker.objects.filter(created_batch=batch).values_list("nik", "id"))
    if progress:
        progress("updated")
    _update_workers(updated, batch=batch, now=now)
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
    # In worker order the (worker, source) index grows at its end.
    _insert_links(links.get_column("worker_id").sort().to_list(), source_id=source_id, batch=batch)
    events = _update_events(updated, existing, batch=batch, actor=actor, label=actor_label)
    duplicates = _insert_pairs(pairs, ids, batch=batch)
    return Written(new.height, updated.height, links.height, duplicates, events)


def _worker_frame(new: pl.DataFrame, *, batch: uuid.UUID, now: datetime.datetime) -> pl.DataFrame:
    blank = ("no_kk", "birth_place", "phone", "address")
    return new.select(
        *(pl.col(c).fill_null("") if c in blank else pl.col(c) for c in WORKER_COLUMNS),
        pl.lit("aktif").alias("status"),
        pl.lit(batch.hex).alias("created_batch"),
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
    columns = ", ".join(_INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            frame = frame.with_columns(pl.lit(str(batch)).alias("created_batch"))
            for start in range(0, frame.height, 200_000):
                data = frame.slice(start, 200_000).write_csv(include_header=False)
                sql = f"COPY {WORKER_TABLE} ({columns}) FROM STDIN WITH (FORMAT csv)"
                with cursor.cursor.copy(sql) as copy:
                    copy.write(data)
            return
        marks = ", ".join(["%s"] * len(_INSERT_COLUMNS))
        sql = f"INSERT INTO {WORKER_TABLE} ({columns}) VALUES ({marks})"  # noqa: S608
        # Python tuples of a million rows would cost more memory than the whole frame: convert
        # one chunk at a time.
        for start in range(0, frame.height, _CHUNK):
            cursor.executemany(sql, _sqlite_rows(frame.slice(start, _CHUNK)))


def _sqlite_rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    """Rows with the values Django's SQLite backend stores: ISO dates, 0/1, naive UTC times."""
    converted = frame.with_columns(
        *(
            pl.col(name).dt.strftime("%Y-%m-%d")
            for name, dtype in frame.schema.items()
            if dtype == pl.Date
        ),
        *(
            pl.col(name).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%f")
            for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.Datetime)
        ),
        *(
            pl.col(name).cast(pl.Int8)
            for name, dtype in frame.schema.items()
            if dtype == pl.Boolean
        ),
    )
    return converted.rows()


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
        pl.lit(batch.hex if connection.vendor != "postgresql" else str(batch)).alias("batch"),
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
        for start in range(0, given.height, _CHUNK):
            chunk = given.slice(start, _CHUNK)
            rows = chunk.rows() if connection.vendor == "postgresql" else _sqlite_rows(chunk)
            cursor.executemany(sql, rows)


def _insert_links(worker_ids: list[int], *, source_id: int, batch: uuid.UUID) -> None:
    if not worker_ids:
        return
    batch_value = str(batch) if connection.vendor == "postgresql" else batch.hex
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            data = pl.DataFrame(
                {"worker_id": worker_ids, "source_id": source_id, "batch": batch_value}
            ).write_csv(include_header=False)
            sql = f"COPY {SOURCE_TABLE} (worker_id, source_id, batch) FROM STDIN WITH (FORMAT csv)"
            with cursor.cursor.copy(sql) as copy:
                copy.write(data)
            return
        sql = f"INSERT INTO {SOURCE_TABLE} (worker_id, source_id, batch) VALUES (%s, %s, %s)"  # noqa: S608
        rows = [(w, source_id, batch_value) for w in worker_ids]
        for start in range(0, len(rows), _CHUNK):
            cursor.executemany(sql, rows[start : start + _CHUNK])


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
                action="worker_imported_update",
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
