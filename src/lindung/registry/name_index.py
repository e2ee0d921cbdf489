"""The stored name tokens of the search (WorkerNameToken) written in bulk: by the import
(pipeline.load) and by `lindung reindex_names`. One worker at a time, Worker.save writes them."""

from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
from django.db import connection, transaction
from django.db.models import Field

from lindung.bulk import insert_frame, read_frame
from lindung.registry.models import TOKEN_LENGTH, Worker, WorkerNameToken
from lindung.registry.names import name_tokens

TOKEN_TABLE = WorkerNameToken._meta.db_table
WORKER_TABLE = Worker._meta.db_table
# What a token row copies from its worker (the frame columns of token_frame's input).
WORKER_SCHEMA = {
    "worker_id": pl.Int64,
    "name": pl.String,
    "name_key": pl.String,
    "kabupaten_id": pl.String,
    "kecamatan_id": pl.String,
    "desa_id": pl.String,
}
_ID_CHUNK = 5_000  # ids per … IN (…): under SQLite's limit of bound values
# From this many new tokens, when the table holds no more than that, the search indexes are
# dropped and built again after the rows (a sort each) rather than grown row by row: a first
# import of 1.000.000 workers writes ~1.600.000 tokens.
BULK_TOKENS = 100_000


def token_frame(workers: pl.DataFrame) -> pl.DataFrame:
    """The token rows of `workers` (the columns of WORKER_SCHEMA): each name's tokens, worked
    out once per distinct name, in the order of the search's indexes."""
    names = workers.get_column("name").unique().drop_nulls()
    tokens = pl.DataFrame(
        {"name": names, "token": [name_tokens(n) for n in names]},
        schema={"name": pl.String, "token": pl.List(pl.String)},
    )
    return (
        workers.join(tokens, on="name", how="inner")
        .explode("token")
        .drop_nulls("token")
        .select(
            pl.col("worker_id").cast(pl.Int64),
            pl.col("token").str.slice(0, TOKEN_LENGTH),
            "name_key",
            pl.col("kabupaten_id").alias("kabupaten"),
            pl.col("kecamatan_id").alias("kecamatan"),
            pl.col("desa_id").alias("desa"),
        )
        .unique(["worker_id", "token"])
        .sort("kabupaten", "token", "name_key", "worker_id")
    )


def write_tokens(new: pl.DataFrame, changed: list[int]) -> None:
    """Tokens for `new` workers (a frame with the columns of WORKER_SCHEMA), and in place of
    the old ones for the `changed` worker ids (renamed, moved), read as they are now. Runs
    inside the caller's transaction."""
    frames = [new.select(pl.col(c).cast(t) for c, t in WORKER_SCHEMA.items())]
    columns = ", ".join(WORKER_SCHEMA).replace("worker_id", "id")
    with connection.cursor() as cursor:
        for start in range(0, len(changed), _ID_CHUNK):
            chunk = [int(pk) for pk in changed[start : start + _ID_CHUNK]]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {TOKEN_TABLE} WHERE worker_id IN ({marks})",  # noqa: S608
                chunk,
            )
            ids = ", ".join(str(pk) for pk in chunk)  # integers: safe in the text
            frames.append(
                read_frame(
                    f"SELECT {columns} FROM {WORKER_TABLE} "  # noqa: S608 - fixed names, ints
                    f"WHERE id IN ({ids}) AND merged_into_id IS NULL",
                    WORKER_SCHEMA,
                )
            )
    insert_tokens(token_frame(pl.concat(frames)))


def insert_tokens(frame: pl.DataFrame) -> None:
    """Insert the rows of `frame` (token_frame's columns); in bulk past BULK_TOKENS new rows,
    when the table holds no more than those (a first import): then the search indexes are
    built after the rows. On PostgreSQL that holds the table's lock until the import commits,
    so searches wait for it; a first import has next to nothing to search."""
    if frame.height < BULK_TOKENS or _holds_at_least(frame.height + 1):
        insert_frame(TOKEN_TABLE, frame)
        return
    with _search_indexes_built_after():
        insert_frame(TOKEN_TABLE, frame.sort("worker_id", "token"))  # the primary key's order


def _holds_at_least(rows: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {TOKEN_TABLE} LIMIT %s) AS t",  # noqa: S608
            [rows],
        )
        (count,) = cursor.fetchone()
    return bool(count >= rows)


@contextmanager
def _search_indexes_built_after() -> Iterator[None]:
    quote = connection.ops.quote_name
    model = WorkerNameToken._meta
    indexes = [
        (quote(index.name), ", ".join(quote(_column(f)) for f in index.fields))
        for index in model.indexes
    ]
    with connection.cursor() as cursor:
        for name, _columns in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for name, columns in indexes:
            cursor.execute(f"CREATE INDEX {name} ON {quote(TOKEN_TABLE)} ({columns})")


def _column(name: str) -> str:
    field = WorkerNameToken._meta.get_field(name)
    assert isinstance(field, Field) and field.column is not None  # noqa: S101 - concrete fields
    return field.column


@transaction.atomic
def rebuild_tokens() -> int:
    """Every current worker's tokens written again (after the rules of registry.names
    change); the number of tokens."""
    WorkerNameToken.objects.all().delete()
    columns = ", ".join(WORKER_SCHEMA).replace("worker_id", "id")
    workers = read_frame(
        f"SELECT {columns} FROM {WORKER_TABLE} WHERE merged_into_id IS NULL",  # noqa: S608
        WORKER_SCHEMA,
    )
    frame = token_frame(workers)
    insert_tokens(frame)
    return frame.height
