"""Rebuilding the dashboard's cells: the registry, the active policy and the approved lists,
counted once in Polars and written in bulk beside the cells pages read, then swapped in.

    state = refresh()          # every fiscal year the dashboard offers

A rebuild reads every current worker once, checks eligibility under the active policy for each
fiscal year, adds the entries of each year's approved list (as the list froze them) and the
year's participations registered with BPJS Ketenagakerjaan (`enrolled`), groups by desa,
occupation, sex and source along each `Dimension`, and writes the cells under a new
generation number; pages read the current generation (`State.generation`) until the new one is
complete (see `refresh`). Pages then sum a few thousand cells instead of a million workers.

Changes that move the numbers (imports, edits, merges, approvals, policy versions, population,
batches and the branch's answers) are recorded in the audit log; `dashboard.signals` marks the
cells stale on such an event and queues `refresh_task` once the change commits.
"""

import time

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lindung.bulk import insert_frame, read_frame
from lindung.dashboard.models import Cell, Dimension, Snapshot, SnapshotDay, State
from lindung.enrollment.models import Participation
from lindung.enrollment.models import State as ParticipationState
from lindung.registry.frames import workers_frame
from lindung.rules.eligibility import (
    REGISTRY_SCHEMA,
    age_on_new_year,
    eligibility,
    self_paying_workers,
)
from lindung.rules.policy import active_policy
from lindung.targeting.lists import current_list
from lindung.targeting.models import Beneficiary, BeneficiaryList

# Age on 1 January of the fiscal year: (lowest, highest, key).
AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 17, "<18"),
    (18, 24, "18-24"),
    (25, 34, "25-34"),
    (35, 44, "35-44"),
    (45, 54, "45-54"),
    (55, 65, "55-65"),
    (66, 200, ">65"),
)
_GROUP = ["kecamatan_id", "desa_id", "occupation", "sex", "source"]
_COUNTS = ["registered", "eligible", "sponsored", "enrolled", "cost"]


def state() -> State:
    found, _created = State.objects.get_or_create(pk=1)
    return found


def fiscal_years() -> list[int]:
    """This year, next year and every year with an approved list."""
    this_year = timezone.localdate().year
    listed = BeneficiaryList.objects.values_list("fiscal_year", flat=True).distinct()
    return sorted({this_year, this_year + 1, *listed})


def registry() -> pl.DataFrame:
    """Current workers: REGISTRY_SCHEMA's columns plus `month`, the local month of registration."""
    frame = workers_frame([*REGISTRY_SCHEMA, "created_at"])
    return frame.with_columns(
        pl.col("created_at")
        .dt.convert_time_zone(settings.TIME_ZONE)
        .dt.strftime("%Y-%m")
        .fill_null("")
        .alias("month")
    ).drop("created_at")


_ENTRY_SCHEMA = {
    "worker_id": pl.Int64,
    "kecamatan_id": pl.String,
    "desa_id": pl.String,
    "occupation": pl.String,
    "sex": pl.String,
    "birth_date": pl.Date,
    "source": pl.String,
    "cost": pl.Int64,
}


def _entries(beneficiary_list: BeneficiaryList, workers: pl.DataFrame) -> pl.DataFrame:
    """A list's workers as it froze them, with the registry's desil where the worker remains:
    current (in `workers`, from `registry()`) or merged into another record since."""
    sql = (
        f"SELECT {', '.join(_ENTRY_SCHEMA)} FROM {Beneficiary._meta.db_table} "  # noqa: S608
        "WHERE beneficiary_list_id = %s"
    )
    entries = read_frame(sql, _ENTRY_SCHEMA, params=[beneficiary_list.pk])
    desil = workers.select("id", "desil")
    if entries.join(desil, left_on="worker_id", right_on="id", how="anti").height:
        desil = pl.concat([desil, workers_frame(["id", "desil"], merged=True)])
    return entries.join(desil, left_on="worker_id", right_on="id", how="left").select(
        "worker_id",
        "kecamatan_id",
        "desa_id",
        "occupation",
        "sex",
        "desil",
        "birth_date",
        "source",
        "cost",
    )


_PARTICIPATION_SCHEMA = {
    "worker_id": pl.Int64,
    "kecamatan_id": pl.String,
    "desa_id": pl.String,
    "source": pl.String,
}
_TRAITS = ["occupation", "sex", "birth_date", "desil"]


def _enrolled(
    fiscal_year: int, entries: pl.DataFrame | None, workers: pl.DataFrame
) -> pl.DataFrame:
    """The year's participations registered with BPJS (TERDAFTAR): the participation's desa and
    source, with the occupation, sex, birth date and desil of the list entry they came from
    (the registry's for a worker the list does not name)."""
    sql = (
        f"SELECT {', '.join(_PARTICIPATION_SCHEMA)} FROM {Participation._meta.db_table} "  # noqa: S608 - fixed names
        f"WHERE fiscal_year = %s AND state = '{ParticipationState.TERDAFTAR.value}'"
    )
    found = read_frame(sql, _PARTICIPATION_SCHEMA, params=[fiscal_year])
    registry_traits = workers.select(pl.col("id").alias("worker_id"), *_TRAITS)
    if entries is None or found.is_empty():
        return found.join(registry_traits, on="worker_id", how="left")
    listed = found.join(entries.select("worker_id", *_TRAITS), on="worker_id", how="left")
    unlisted = listed.filter(pl.col("occupation").is_null()).drop(_TRAITS)
    if unlisted.height:
        listed = pl.concat(
            [
                listed.filter(pl.col("occupation").is_not_null()),
                unlisted.join(registry_traits, on="worker_id", how="left"),
            ],
            how="vertical_relaxed",
        )
    return listed


def age_band(birth_date: pl.Expr, fiscal_year: int) -> pl.Expr:
    age = age_on_new_year(birth_date, fiscal_year)
    band: pl.Expr = pl.lit(AGE_BANDS[-1][2])
    for low, high, key in reversed(AGE_BANDS[:-1]):
        band = pl.when(age.is_between(low, high)).then(pl.lit(key)).otherwise(band)
    return band


def cells_for_year(
    workers: pl.DataFrame,
    entries: pl.DataFrame | None,
    fiscal_year: int,
    enrolled: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The cells of one fiscal year from checked workers (with `eligible_now`), list entries
    and the participations registered with BPJS (`_enrolled`)."""
    rows = [
        workers.select(
            "kecamatan_id",
            "desa_id",
            "occupation",
            "sex",
            "desil",
            "birth_date",
            "month",
            pl.lit("").alias("source"),
            pl.lit(1, pl.Int64).alias("registered"),
            pl.col("eligible_now").cast(pl.Int64).alias("eligible"),
            pl.lit(0, pl.Int64).alias("sponsored"),
            pl.lit(0, pl.Int64).alias("enrolled"),
            pl.lit(0, pl.Int64).alias("cost"),
        )
    ]
    if entries is not None and entries.height:
        rows.append(
            entries.select(
                "kecamatan_id",
                "desa_id",
                "occupation",
                "sex",
                "desil",
                "birth_date",
                pl.lit(None, pl.String).alias("month"),
                "source",
                pl.lit(0, pl.Int64).alias("registered"),
                pl.lit(0, pl.Int64).alias("eligible"),
                pl.lit(1, pl.Int64).alias("sponsored"),
                pl.lit(0, pl.Int64).alias("enrolled"),
                pl.col("cost").cast(pl.Int64),
            )
        )
    if enrolled is not None and enrolled.height:
        rows.append(
            enrolled.select(
                "kecamatan_id",
                "desa_id",
                pl.col("occupation").fill_null(""),
                pl.col("sex").fill_null(""),
                "desil",
                "birth_date",
                pl.lit(None, pl.String).alias("month"),
                "source",
                pl.lit(0, pl.Int64).alias("registered"),
                pl.lit(0, pl.Int64).alias("eligible"),
                pl.lit(0, pl.Int64).alias("sponsored"),
                pl.lit(1, pl.Int64).alias("enrolled"),
                pl.lit(0, pl.Int64).alias("cost"),
            )
        )
    combined = pl.concat(rows, how="vertical_relaxed")
    keys = {
        Dimension.TOTAL: pl.lit(""),
        Dimension.AGE: age_band(pl.col("birth_date"), fiscal_year),
        Dimension.DESIL: pl.col("desil").cast(pl.String).fill_null(""),
        Dimension.MONTH: pl.col("month"),
    }
    parts = []
    for dimension, key in keys.items():
        source = combined.filter(pl.col("month").is_not_null()) if key is keys[
            Dimension.MONTH
        ] else combined  # fmt: skip
        parts.append(
            source.with_columns(key.alias("key"))
            .group_by([*_GROUP, "key"])
            .agg(pl.col(c).sum() for c in _COUNTS)
            .with_columns(
                pl.lit(fiscal_year, pl.Int64).alias("fiscal_year"),
                pl.lit(dimension.value).alias("dimension"),
            )
        )
    return pl.concat(parts).select("fiscal_year", *_GROUP, "dimension", "key", *_COUNTS)


# Rows per write transaction of a rebuild: short enough that a page or an import waiting for
# SQLite's one writer lock waits for one chunk, not for the whole rebuild.
WRITE_CHUNK = 10_000


def refresh(years: list[int] | None = None) -> State:
    """Rebuild every cell; returns the new state.

    The counting runs in Polars outside any transaction. The new cells are written under a new
    generation number in short transactions beside the old ones, which pages go on reading;
    one short transaction then makes the new generation the current one (with today's snapshot
    and the state), and the old rows are deleted afterwards, again in short transactions."""
    started = time.monotonic()
    began = timezone.now()
    years = years or fiscal_years()
    policy, version = active_policy()
    workers = registry()
    lists: dict[str, int] = {}
    budgets: dict[str, dict[str, int]] = {}
    labels = {s.code: s.label for s in policy.sources}
    frames = []
    self_paying = self_paying_workers()
    for year in years:
        checked = eligibility(workers, policy, year, self_paying=self_paying).with_columns(
            pl.col("reason").is_null().alias("eligible_now")
        )
        approved = current_list(year)
        entries = _entries(approved, workers) if approved is not None else None
        if approved is not None:
            lists[str(year)] = approved.number
            budgets[str(year)] = {k: int(v) for k, v in approved.budgets.items()}
            for source in approved.scenario.policy_data.get("sources", []):
                labels.setdefault(str(source["code"]), str(source.get("label") or source["code"]))
        else:
            budgets[str(year)] = {s.code: s.annual_budget for s in policy.sources}
        enrolled = _enrolled(year, entries, workers)
        frames.append(cells_for_year(checked, entries, year, enrolled))
    cells = pl.concat(frames) if frames else pl.DataFrame()
    generation = _take_generation()
    if cells.height:
        rows = cells.with_columns(pl.lit(generation, pl.Int64).alias("generation"))
        for start in range(0, rows.height, WRITE_CHUNK):
            with transaction.atomic():
                insert_frame(Cell._meta.db_table, rows.slice(start, WRITE_CHUNK))
    with transaction.atomic():
        current = State.objects.select_for_update().get(pk=1)
        if current.generation > generation:  # a later rebuild finished first: it stands
            _delete_cells("generation = %s", generation)
            return current
        _snapshot(cells, budgets, lists)
        current.generation = generation
        current.refreshed_at = timezone.now()
        if current.stale_since is not None and current.stale_since <= began:
            current.stale_since = None  # changes after `began` still need another rebuild
        current.fiscal_years = years
        current.policy_version = version.number if version else None
        current.lists = lists
        current.budgets = budgets
        current.labels = labels
        current.workers = workers.height
        current.seconds = round(time.monotonic() - started, 2)
        current.save(
            update_fields=[
                "generation",
                "refreshed_at",
                "stale_since",
                "fiscal_years",
                "policy_version",
                "lists",
                "budgets",
                "labels",
                "workers",
                "seconds",
            ]
        )
    # Older generations (and a rebuild's rows left half-written by a crash) go now.
    _delete_cells("generation < %s", generation)
    return current


def _take_generation() -> int:
    """A generation number no other rebuild writes under."""
    with transaction.atomic():
        State.objects.get_or_create(pk=1)
        current = State.objects.select_for_update().get(pk=1)
        current.last_generation = max(current.last_generation, current.generation) + 1
        current.save(update_fields=["last_generation"])
        return current.last_generation


def _delete_cells(where: str, generation: int) -> None:
    """Delete the cells matching `where` in short transactions."""
    table = Cell._meta.db_table
    sql = (
        f"DELETE FROM {table} WHERE id IN "  # noqa: S608 - fixed names
        f"(SELECT id FROM {table} WHERE {where} LIMIT {WRITE_CHUNK})"
    )
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [generation])
            if cursor.rowcount < WRITE_CHUNK:
                return


def _snapshot(
    cells: pl.DataFrame, budgets: dict[str, dict[str, int]], lists: dict[str, int]
) -> None:
    """Keep today's totals per fiscal year, desa and source (replacing today's earlier ones)."""
    today = timezone.localdate()
    Snapshot.objects.filter(day=today).delete()
    SnapshotDay.objects.update_or_create(
        day=today, defaults={"taken_at": timezone.now(), "budgets": budgets, "lists": lists}
    )
    if not cells.height:
        return
    daily = (
        cells.filter(pl.col("dimension") == Dimension.TOTAL.value)
        .group_by("fiscal_year", "kecamatan_id", "desa_id", "source")
        .agg(pl.col(c).sum() for c in _COUNTS)
        .select(
            pl.lit(today).alias("day"),
            "fiscal_year",
            "kecamatan_id",
            "desa_id",
            "source",
            *_COUNTS,
        )
    )
    insert_frame(Snapshot._meta.db_table, daily)
