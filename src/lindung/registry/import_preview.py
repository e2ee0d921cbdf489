"""What the import page explains about a checked or committed batch, as plain values for its
template: the problems by code with their messages, the rows with problems (all, or those of one
code), what changes on registered workers (before → after, counted per field) and the possible
duplicates to review. Read from the files kept beside the batch (imports.outcome_rows,
imports.changes_of); NIK, No. KK and phone masked, and phone, address and name hidden, for
those who may not see them.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db.models import Field
from django.utils.translation import gettext as _

from lindung.formats import format_date, format_number, format_rupiah, mask_nik
from lindung.regions.models import Region
from lindung.registry import duplicate_queries, imports
from lindung.registry.models import ImportBatch, Occupation, Sex, Worker
from lindung.registry.pipeline.changes import SOURCES
from lindung.registry.pipeline.codes import (
    ERROR_MESSAGES,
    WARNING_MESSAGES,
    RowError,
    RowStatus,
    RowWarning,
    message_for,
)
from lindung.registry.pipeline.report import status_label
from lindung.roles import Capability

if TYPE_CHECKING:
    from lindung.accounts.models import User

PROBLEM_ROWS = 200  # rows with problems shown at once (the checked file has them all)
CHANGE_ROWS = 50  # changed fields shown per page
DUPLICATE_ROWS = 50
_CODES = {c.value for c in RowError} | {c.value for c in RowWarning}


@dataclass(frozen=True)
class CodeCount:
    code: str
    message: str
    count: int
    warning: bool


def code_summary(batch: ImportBatch, rows: pl.DataFrame | None) -> list[CodeCount]:
    """Errors first, then warnings, each with its message and the rows it was given to."""
    if rows is None:  # the rows are no longer kept: the batch's counts, told apart by code
        counted = sorted((batch.code_counts or {}).items())
        errors = [(c, n) for c, n in counted if c in ERROR_MESSAGES]
        warnings = [(c, n) for c, n in counted if c not in ERROR_MESSAGES]
    else:
        errors, warnings = _counted(rows, "errors"), _counted(rows, "warnings")
    return [CodeCount(c, message_for(c), n, False) for c, n in errors] + [
        CodeCount(c, message_for(c, warning=True), n, True)
        for c, n in warnings
        if c in WARNING_MESSAGES or c not in ERROR_MESSAGES
    ]


def _counted(rows: pl.DataFrame, column: str) -> list[tuple[str, int]]:
    codes = rows.select(pl.col(column).alias("code")).explode("code").drop_nulls()
    return [(str(c), int(n)) for c, n in codes.group_by("code").len().sort("code").iter_rows()]


def problem_rows(
    rows: pl.DataFrame, *, code: str, duplicates: dict[str, int]
) -> tuple[list[dict[str, Any]], int]:
    """(the first PROBLEM_ROWS rows with an error or warning, or with `code`; how many there
    are). A POSSIBLE_DUPLICATE row links to its pair when the commit recorded one."""
    if code in _CODES:
        wanted = pl.col("errors").list.contains(code) | pl.col("warnings").list.contains(code)
    else:
        wanted = (pl.col("status") == RowStatus.REJECTED.value) | (
            pl.col("warnings").list.len() > 0
        )
    matching = rows.filter(wanted)
    shown = [
        {
            "row": row["_row"],
            "nik": row["nik"],
            "status": status_label(row["status"]),
            "codes": [(c, message_for(c)) for c in row["errors"]]
            + [(c, message_for(c, warning=True)) for c in row["warnings"]],
            "duplicate": duplicates.get(row["nik"] or ""),
        }
        for row in matching.head(PROBLEM_ROWS).iter_rows(named=True)
    ]
    return shown, matching.height


@dataclass(frozen=True)
class DuplicateRow:
    pk: int
    new: Worker  # the worker this import added
    registered: Worker  # the worker the registry had
    score: int


def duplicate_pairs(batch: ImportBatch, viewer: "User") -> list[DuplicateRow]:
    """The open possible-duplicate pairs this batch recorded whose two workers `viewer` sees,
    the import's new worker first."""
    pairs = duplicate_queries.open_duplicates(viewer).filter(batch=batch.pk)
    rows = []
    for pair in pairs.select_related("worker__desa", "other__desa")[:DUPLICATE_ROWS]:
        new, registered = pair.worker, pair.other
        if new.created_batch != batch.pk:
            new, registered = registered, new
        rows.append(DuplicateRow(pair.pk, new, registered, pair.score))
    return rows


# --- changes to registered workers -------------------------------------------------------------
@dataclass(frozen=True)
class FieldCount:
    field: str
    label: str
    changed: int
    kept: int


@dataclass(frozen=True)
class Change:
    row: int
    worker_id: int
    nik: str
    name: str
    field: str
    label: str
    before: str
    after: str
    before_empty: bool


@dataclass(frozen=True)
class ChangesPage:
    counts: list[FieldCount]
    rows: list[Change]
    total: int  # changed fields in all
    workers: int  # updated workers with a changed field
    page: int
    pages: int


def field_label(field: str) -> str:
    if field == SOURCES:
        return _("Listed under this source")
    model_field = Worker._meta.get_field(field.removesuffix("_id"))
    label = str(model_field.verbose_name) if isinstance(model_field, Field) else field
    return label[:1].upper() + label[1:]


def changes_page(batch: ImportBatch, viewer: "User", *, page: int) -> ChangesPage | None:
    kept = imports.changes_of(batch)
    if kept is None:
        return None
    frame, stored = kept
    counts = [
        FieldCount(field, field_label(field), int(n["changed"]), int(n["kept"]))
        for field, n in stored.items()
    ]
    pages = max(1, -(-frame.height // CHANGE_ROWS))
    page = min(max(page, 1), pages)
    shown = frame.slice((page - 1) * CHANGE_ROWS, CHANGE_ROWS)
    desa = _desa_names(shown)
    rows = [
        Change(
            row=r["_row"],
            worker_id=r["worker_id"],
            nik=r["nik"],
            name=r["name"] if viewer.can(Capability.VIEW_PERSONS) else _("hidden"),
            field=r["field"],
            label=field_label(r["field"]),
            before=_shown(r["field"], r["before"], viewer, desa),
            after=_shown(r["field"], r["after"], viewer, desa),
            before_empty=r["before"] is None,
        )
        for r in shown.iter_rows(named=True)
    ]
    workers = frame.get_column("worker_id").n_unique()
    return ChangesPage(counts, rows, frame.height, workers, page, pages)


def _desa_names(frame: pl.DataFrame) -> dict[str, str]:
    desa = frame.filter(pl.col("field") == "desa_id")
    codes = {c for c in [*desa.get_column("before"), *desa.get_column("after")] if c}
    return {r.code: r.display_name for r in Region.objects.filter(code__in=codes)}


def _shown(field: str, value: str | None, viewer: "User", desa: dict[str, str]) -> str:
    """A stored change value as the pages write it; "kosong" for none; masked for `viewer`."""
    if value is None or value == "":
        return _("empty")
    if field in ("no_kk", "phone") and not viewer.can(Capability.VIEW_NIK):
        return mask_nik(value)
    if field in ("phone", "address") and not viewer.can(Capability.VIEW_PERSONS):
        return _("hidden")
    if field == "name" and not viewer.can(Capability.VIEW_PERSONS):
        return _("hidden")
    if field == "sex":
        return str(Sex(value).label) if value in Sex.values else value
    if field == "occupation":
        return str(Occupation(value).label) if value in Occupation.values else value
    if field == "birth_date":
        return format_date(datetime.date.fromisoformat(value))
    if field == "income":
        return format_rupiah(int(value))
    if field == "desil":
        return format_number(int(value))
    if field in ("disability", "female_head"):
        return _("yes") if value == "true" else _("no")
    if field == "desa_id":
        return desa.get(value, value)
    return value
