"""Moving Polars frames in and out of the database in bulk, on PostgreSQL and SQLite alike.

    frame = read_frame("SELECT id, birth_date FROM registry_worker", {"id": pl.Int64, …})
    insert_frame("targeting_selection", frame)

PostgreSQL: `COPY … TO/FROM STDIN` as CSV, parsed and written by Polars. SQLite: one cursor read
in chunks, `executemany` in chunks, values converted to what Django's SQLite backend stores.
Never a per-row ORM call. Both run inside the caller's transaction, if any.
"""

import io
from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import QuerySet

CHUNK = 20_000  # SQLite rows per executemany
COPY_CHUNK = 200_000  # PostgreSQL rows per COPY
READ_CHUNK = 100_000  # SQLite rows per fetchmany, turned into a frame at once
_TEXT = "_lindung_text"  # SQLite: the column holding each row's text values as a JSON array


def read_frame(sql: str, schema: dict[str, Any], params: Sequence[int] = ()) -> pl.DataFrame:
    """The rows of `sql` as a frame of `schema` (its columns, in order: integers, booleans,
    strings, dates and UTC datetimes, `pl.Datetime("us", "UTC")`). `params` are integers only:
    PostgreSQL's COPY takes no bind parameters, so they are written into the query."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            literal = sql % tuple(int(p) for p in params) if params else sql
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({literal}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            if not buffer.getbuffer().nbytes:
                return pl.DataFrame(schema=schema)
            buffer.seek(0)
            text = {
                n: pl.String if _is_text(t) or t == pl.Boolean else t for n, t in schema.items()
            }
            frame = pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=text)
            return frame.with_columns(
                *(_parsed(n, t) for n, t in schema.items() if _is_text(t) and t != pl.String),
                *(pl.col(n) == "t" for n, t in schema.items() if t == pl.Boolean),
            )
        # Python's sqlite3 module pays for every value it hands over, so the text columns
        # (strings, ISO dates and times) come as one JSON array per row, decoded by Polars, and
        # the others each as `+cN`: an expression has no declared type, so Django's per-value
        # converters are skipped too. The CTE names the query's columns by position.
        names = {n: f"c{i}" for i, n in enumerate(schema)}
        packed = [n for n, t in schema.items() if _is_text(t)]
        raw = {
            n: pl.Int64 if t in (pl.Boolean, pl.Int16) else t
            for n, t in schema.items()
            if n not in packed
        }
        select = [f"+{names[n]}" for n in raw]
        raw[_TEXT] = pl.String
        select.append(f"json_array({', '.join(names[n] for n in packed)})" if packed else "NULL")
        columns = ", ".join(names.values())
        wrapped = f"WITH q({columns}) AS ({sql}) SELECT {', '.join(select)} FROM q"  # noqa: S608
        cursor.execute(wrapped, list(params))
        # In chunks: a million Python tuples at once would double the caller's peak memory.
        frames = [pl.DataFrame(schema=raw)]
        while rows := cursor.fetchmany(READ_CHUNK):
            frames.append(pl.DataFrame(rows, schema=raw, orient="row"))
    frame = pl.concat(frames, rechunk=True)
    if packed:
        arrays = pl.col(_TEXT).str.json_decode(pl.List(pl.String))
        frame = frame.with_columns(arrays.list.to_struct(fields=packed)).unnest(_TEXT)
    return frame.select(
        _parsed(n, t) if _is_text(t) and t != pl.String else pl.col(n).cast(t)
        for n, t in schema.items()
    )


def _is_text(dtype: Any) -> bool:
    """Whether a column of this type is read as text (strings, dates, datetimes)."""
    return dtype in (pl.String, pl.Date) or isinstance(dtype, pl.Datetime)


def _parsed(name: str, dtype: Any) -> pl.Expr:
    """A date or datetime column from its text: ISO dates; datetimes as Django stores them on
    SQLite (`2026-01-05 02:03:04.123456`, UTC) and as COPY writes them on PostgreSQL, whose
    Django connection is in UTC (`2026-01-05 02:03:04.123456+00`)."""
    if dtype == pl.Date:
        return pl.col(name).str.to_date("%Y-%m-%d")
    return (
        pl.col(name)
        .str.strip_suffix("+00")
        .str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us", time_zone="UTC")
        .cast(dtype)
    )


def insert_frame(table: str, frame: pl.DataFrame) -> None:
    """Insert every row of `frame` into `table`; the frame's column names are the table's."""
    if frame.is_empty():
        return
    columns = ", ".join(frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
            for start in range(0, frame.height, COPY_CHUNK):
                with cursor.cursor.copy(sql) as copy:
                    copy.write(frame.slice(start, COPY_CHUNK).write_csv(include_header=False))
            return
        marks = ", ".join(["%s"] * frame.width)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - fixed names
        for start in range(0, frame.height, CHUNK):
            cursor.executemany(sql, sqlite_rows(frame.slice(start, CHUNK)))


def sqlite_rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    """Rows with the values Django's SQLite backend stores: ISO dates, 0/1, naive UTC times."""
    schema = frame.schema.items()
    converted = frame.with_columns(
        *(pl.col(n).dt.strftime("%Y-%m-%d") for n, t in schema if t == pl.Date),
        *(
            pl.col(n).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%f")
            for n, t in schema
            if isinstance(t, pl.Datetime)
        ),
        *(pl.col(n).cast(pl.Int8) for n, t in schema if t == pl.Boolean),
    )
    return converted.rows()


def ordered_rows(
    queryset: QuerySet[Any], fields: Sequence[str], *, limit: int | None = None, chunk: int = 5_000
) -> Iterator[tuple[Any, ...]]:
    """The `fields` of the rows of `queryset` (at most `limit`), in its order, read a chunk at a
    time with no statement left open between chunks.

    For a background job that writes its progress while it reads: on SQLite (WAL) a connection
    in the middle of a read may not write once another connection has written since the read
    began ("database is locked", at once, whatever the timeout), which `.iterator()` would be.
    The ids come first, in order; then each chunk's rows by id."""
    ids = list(queryset.values_list("pk", flat=True)[:limit])
    manager = queryset.model._base_manager
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        found = {row[0]: row[1:] for row in manager.filter(pk__in=part).values_list("pk", *fields)}
        for pk in part:
            yield found[pk]
