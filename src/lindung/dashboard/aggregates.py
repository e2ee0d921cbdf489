"""Rebuilding the dashboard's cells: the registry, the active policy and the approved lists,
counted once in Polars and written in bulk beside the cells pages read, then swapped in.

    state = refresh()          # every fiscal year the dashboard offers

A rebuild reads every current worker once, checks eligibility under the active policy for each
fiscal year, adds the entries of each year's approved list (as the list froze them), the year's
participations registered with BPJS Ketenagakerjaan (`enrolled`) and, for the fiscal year of
today only, who is protected, in grace or lapsed today (`billing.coverage`'s rule:
`ledger.standing` and the self-payers paid through today, per participation so that the filters
and breakdowns apply; the coverage groups are rebuilt too), groups by desa, occupation, sex and
source along each `Dimension`, and writes the cells under a new generation number; pages read
the current generation (`State.generation`) until the new one is complete (see `refresh`). Pages
then sum a few thousand cells instead of a million workers.

"Protected today" is counted for today's fiscal year on today (`protection_day`), and for a
year not begun yet on its 1 January: who will be protected when it starts, paid ahead. A past
year's standing stays in the snapshots of its days (the trend); its cells hold 0.

Changes that move the numbers (imports, edits, merges, approvals, policy versions, population,
batches, the branch's answers, bills and payments) are recorded in the audit log;
`dashboard.signals` marks the cells stale on such an event and queues `refresh_task` once the
change commits. Protection also changes with the calendar (a paid period ends, arrears run
out): a page that finds the cells counted on an earlier day queues a recount the same way.
"""

import datetime
import time
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lindung.billing import coverage, groups, ledger
from lindung.bulk import insert_frame, read_frame
from lindung.dashboard.models import Cell, Dimension, Snapshot, SnapshotDay, State
from lindung.enrollment.models import Participation
from lindung.enrollment.models import State as ParticipationState
from lindung.regions import scope
from lindung.registry.frames import workers_frame
from lindung.rules.eligibility import (
    REGISTRY_SCHEMA,
    age_on_new_year,
    eligibility,
    self_paying_workers,
)
from lindung.rules.national import SELF_PAID
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
# The coverage counts (`billing.coverage.KEYS`) and the ledger status each one counts.
STANDING = dict(zip(coverage.KEYS, coverage.COUNTED, strict=True))
_COUNTS = ["registered", "eligible", "sponsored", "enrolled", *STANDING, "cost"]


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
    return _with_traits(found, entries, workers)


def _with_traits(
    found: pl.DataFrame, entries: pl.DataFrame | None, workers: pl.DataFrame
) -> pl.DataFrame:
    """`found` (by `worker_id`) with the occupation, sex, birth date and desil of the list entry
    the worker is on (the registry's for a worker the list does not name)."""
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


def protection_day(fiscal_year: int, counted_on: datetime.date | None) -> datetime.date | None:
    """The day a fiscal year's protection is counted on, for cells counted on `counted_on`:
    that day for its own year, 1 January for a later year (paid ahead), None for a past one."""
    if counted_on is None or fiscal_year < counted_on.year:
        return None
    return counted_on if fiscal_year == counted_on.year else datetime.date(fiscal_year, 1, 1)


def _standing(
    fiscal_year: int, today: datetime.date, entries: pl.DataFrame | None, workers: pl.DataFrame
) -> pl.DataFrame | None:
    """Who is protected, in grace or lapsed on `on` (one row each: worker_id, kecamatan_id,
    desa_id, source, status, and the traits as `_with_traits` gives them) on the year's
    `protection_day` (None for a past year). The same rows `billing.coverage.statuses` counts for
    `lindung coverage`: the year's sponsored participations by their ledger standing, with the
    participation's source and desa, and the self-payers paid through `on` (source `mandiri`,
    the worker's desa)."""
    on = protection_day(fiscal_year, today)
    if on is None:
        return None
    columns = ["worker_id", "kecamatan_id", "desa_id", "source", "status"]
    sponsored = ledger.standing(on=on).filter(pl.col("status").is_in(coverage.COUNTED))
    found = pl.concat([sponsored.select(columns), coverage.self_payers(on).select(columns)])
    return _with_traits(found, entries, workers)


def age_band(birth_date: pl.Expr, fiscal_year: int) -> pl.Expr:
    age = age_on_new_year(birth_date, fiscal_year)
    band: pl.Expr = pl.lit(AGE_BANDS[-1][2])
    for low, high, key in reversed(AGE_BANDS[:-1]):
        band = pl.when(age.is_between(low, high)).then(pl.lit(key)).otherwise(band)
    return band


def _counted(
    frame: pl.DataFrame, *, source: pl.Expr, month: pl.Expr, **counts: pl.Expr
) -> pl.DataFrame:
    """`frame`'s rows in the columns cells are grouped from, each adding `counts` (0 for the
    counts not named)."""
    return frame.select(
        "kecamatan_id",
        "desa_id",
        pl.col("occupation").fill_null(""),
        pl.col("sex").fill_null(""),
        "desil",
        "birth_date",
        month.alias("month"),
        source.alias("source"),
        *(counts.get(name, pl.lit(0, pl.Int64)).cast(pl.Int64).alias(name) for name in _COUNTS),
    )


def cells_for_year(
    workers: pl.DataFrame,
    entries: pl.DataFrame | None,
    fiscal_year: int,
    enrolled: pl.DataFrame | None = None,
    standing: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The cells of one fiscal year from checked workers (with `eligible_now`), list entries,
    the participations registered with BPJS (`_enrolled`) and today's coverage (`_standing`:
    a row per protected, in-grace or lapsed participation, with its `status`)."""
    one = pl.lit(1, pl.Int64)
    no_month = pl.lit(None, pl.String)
    rows = [
        _counted(
            workers,
            source=pl.lit(""),
            month=pl.col("month"),
            registered=one,
            eligible=pl.col("eligible_now"),
        )
    ]
    if entries is not None and entries.height:
        rows.append(
            _counted(
                entries, source=pl.col("source"), month=no_month, sponsored=one, cost=pl.col("cost")
            )
        )
    if enrolled is not None and enrolled.height:
        rows.append(_counted(enrolled, source=pl.col("source"), month=no_month, enrolled=one))
    if standing is not None and standing.height:
        flags = {key: pl.col("status") == status for key, status in STANDING.items()}
        rows.append(_counted(standing, source=pl.col("source"), month=no_month, **flags))
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
    today = timezone.localdate()
    years = years or fiscal_years()
    # The coverage groups too, so the pages' alerts (`billing.alerts`) find them fresh: the
    # same change that queued this rebuild marked them stale.
    groups.fresh()
    # Each kabupaten/kota's workers are checked under its own policy and counted against its own
    # lists; the coverage (participations, ledger) is read once for all of them.
    codes: list[str | None] = list(scope.deployment_codes()) or [None]
    policies = {code: active_policy(code) for code in codes}
    several = len(codes) > 1
    workers = registry()
    lists: dict[str, int] = {}
    # fiscal year → {source: pagu}; several kabupaten/kota: year → {kabupaten: {source: pagu}}
    budgets: dict[str, dict[str, Any]] = {}
    labels = {s.code: s.label for policy, _v in policies.values() for s in policy.sources}
    frames = []
    self_paying = self_paying_workers()
    for year in years:
        parts, found = [], []
        budgets[str(year)] = {}
        for code, (policy, _version) in policies.items():
            mine = workers.filter(scope.expr([code], "desa_id")) if several and code else workers
            parts.append(eligibility(mine, policy, year, self_paying=self_paying))
            approved = current_list(year, code) if code else None
            amounts: dict[str, int]
            if approved is not None:
                found.append(_entries(approved, workers))
                lists.setdefault(str(year), approved.number)
                amounts = {k: int(v) for k, v in approved.budgets.items()}
                for source in approved.scenario.policy_data.get("sources", []):
                    labels.setdefault(
                        str(source["code"]), str(source.get("label") or source["code"])
                    )
            else:
                amounts = {s.code: s.annual_budget for s in policy.sources}
            if several and code:  # each kabupaten/kota's own pagu: its page shows it
                budgets[str(year)][code] = amounts
            else:
                budgets[str(year)] = amounts
        checked = pl.concat(parts).with_columns(pl.col("reason").is_null().alias("eligible_now"))
        entries = pl.concat(found) if found else None
        enrolled = _enrolled(year, entries, workers)
        standing = _standing(year, today, entries, workers)
        if standing is not None and standing["source"].eq(SELF_PAID).any():
            labels.setdefault(SELF_PAID, "Mandiri")
        frames.append(cells_for_year(checked, entries, year, enrolled, standing))
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
        _snapshot(cells, budgets, lists, today)
        current.generation = generation
        current.refreshed_at = timezone.now()
        current.counted_on = today
        if current.stale_since is not None and current.stale_since <= began:
            current.stale_since = None  # changes after `began` still need another rebuild
        current.fiscal_years = years
        # The policy version is named only when one policy applies to every worker.
        version = next(iter(policies.values()))[1] if len(policies) == 1 else None
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
                "counted_on",
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
    cells: pl.DataFrame,
    budgets: dict[str, dict[str, Any]],
    lists: dict[str, int],
    today: datetime.date,
) -> None:
    """Keep today's totals per fiscal year, desa and source (replacing today's earlier ones)."""
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
