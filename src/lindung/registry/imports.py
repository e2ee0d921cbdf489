# Over 600 lines: the CLI flow and the web flow (check, preview, commit) share private steps.
"""Importing worker lists: the service the CLI (`lindung import`), the web upload and the demo
share.

    outcome = import_file(by=user, path=Path("dtks.xlsx"), source="DTKS 2025")      # CLI
    batch = start_import(by=user, upload=request.FILES["file"], source="DTKS 2025")  # web
    commit_import(by=user, batch=batch)  /  discard_import(by=user, batch=batch)

Reading and checking happen outside any transaction (a preview changes nothing); the commit is
one transaction that re-decides the rows against the registry as it is at that moment, writes
them in bulk and records the batch in the audit log. A crash or kill leaves no partial batch.

(Over 600 lines: the CLI, web and demo flows share the private steps here; the progress steps
are `progress.py`, the page's reading of a batch `import_preview.py`.)
"""

import json
import logging
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.audit.actions import Action
from lindung.audit.actors import SYSTEM, Actor, actor_label, actor_user
from lindung.audit.models import Event
from lindung.audit.services import record
from lindung.regions.scope import codes_for, deployment_codes
from lindung.registry import progress as steps
from lindung.registry import recovery
from lindung.registry.models import (
    ImportBatch,
    ImportStatus,
    Source,
    Worker,
    WorkerNameToken,
    WorkerSource,
)
from lindung.registry.pipeline import load
from lindung.registry.pipeline.changes import field_changes
from lindung.registry.pipeline.codes import RowStatus
from lindung.registry.pipeline.decide import decide, requested_moves
from lindung.registry.pipeline.read import read_table
from lindung.registry.pipeline.report import write_report
from lindung.registry.pipeline.validate import Places, validate
from lindung.registry.services import request_moves
from lindung.sheets import DEFAULT_LIMITS, ReadError, save_upload
from lindung.sheets import sha256_of as sha256_of  # importable from here as before

Progress = Callable[[str, int, int], None]  # (step, done, total)
logger = logging.getLogger(__name__)
_ADVISORY_LOCK = 52_03_0001  # PostgreSQL: one import commit at a time


class ImportFailed(Exception):
    """A file or batch that cannot be imported, with a message for the operator."""

    def __init__(self, message: str, code: str = "IMPORT_FAILED") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Checked:
    """A file read and checked: what a preview shows and a commit writes."""

    checked: pl.DataFrame
    # The file's own columns, for the error report; None when the check was reused: then read
    # from that batch's folder if a report asks for it (a million rows of text otherwise held
    # through the whole commit).
    original_frame: pl.DataFrame | None
    rows_skipped: int
    file_sha256: str
    key: dict[str, Any]  # what the check depended on (see _check_key)
    cached_from: Path | None = None  # the earlier batch folder whose check was reused

    @property
    def original(self) -> pl.DataFrame:
        if self.original_frame is None:
            if self.cached_from is None:
                raise ValueError("A check holds its original columns or the folder they are in.")
            self.original_frame = pl.read_parquet(self.cached_from / "original.parquet")
        return self.original_frame


@dataclass
class Outcome:
    batch: uuid.UUID | None
    file_sha256: str
    rows_skipped: int
    rows: pl.DataFrame  # _row, nik, status, errors, warnings, changed
    extra: dict[str, Any] = field(default_factory=dict)

    def count(self, status: RowStatus) -> int:
        return int((self.rows.get_column("status") == status.value).sum())

    @property
    def with_warnings(self) -> int:
        return int((self.rows.get_column("warnings").list.len() > 0).sum())

    def summary(self) -> dict[str, Any]:
        return {
            "batch": str(self.batch) if self.batch else None,
            "file_sha256": self.file_sha256,
            "rows_total": self.rows.height,
            "rows_skipped": self.rows_skipped,
            "new": self.count(RowStatus.NEW),
            "updated": self.count(RowStatus.UPDATED),
            "unchanged": self.count(RowStatus.UNCHANGED),
            "rejected": self.count(RowStatus.REJECTED),
            "warnings": self.with_warnings,
        }

    def code_counts(self) -> dict[str, int]:
        """Rows per error or warning code."""
        codes = self.rows.select(pl.concat_list("errors", "warnings").alias("code")).explode("code")
        counted = codes.drop_nulls().group_by("code").len().sort("code")
        return {code: int(n) for code, n in counted.iter_rows()}

    def as_json(self) -> dict[str, Any]:
        """The `lindung import --json` object: the summary and one entry per data row."""
        rows = [
            {"row": r, "nik": nik, "status": s, "errors": list(e), "warnings": list(w)}
            for r, nik, s, e, w in self.rows.select(
                "_row", "nik", "status", "errors", "warnings"
            ).iter_rows()
        ]
        return {**self.summary(), "rows": rows}


# Bump when read or validate change what they produce for the same file: older checks kept
# beside earlier batches are then no longer reused.
PIPELINE_VERSION = 2  # 2: a value that cannot be read is not given


def _check_key(
    *, sha: str, sheet: str | None, scope: list[str] | None, deployment: list[str]
) -> dict[str, Any]:
    """Everything a check's result depends on besides the file's bytes' hash."""
    return {
        "version": PIPELINE_VERSION,
        "file_sha256": sha,
        "sheet": sheet or "",
        "scope": scope,
        "deployment": deployment,
        "today": timezone.localdate().isoformat(),  # ages are counted on the day
    }


def _cached_check(key: dict[str, Any]) -> Path | None:
    """The folder of an earlier batch of the same file checked under the same key, made after
    the wilayah tree last changed; None when there is none."""
    tree_changed = (
        Event.objects.filter(action=Action.REGIONS_LOADED)
        .order_by("-at")
        .values_list("at", flat=True)
    ).first()
    batches = ImportBatch.objects.filter(
        file_sha256=key["file_sha256"], sheet=key["sheet"]
    ).exclude(status=ImportStatus.FAILED)
    if tree_changed is not None:
        batches = batches.filter(created_at__gt=tree_changed)
    for batch in batches.order_by("-created_at")[:5]:
        folder = batch_dir(batch)
        meta = folder / "checked.json"
        files = [folder / "checked.parquet", folder / "original.parquet"]
        if meta.exists() and all(f.exists() for f in files):
            stored = json.loads(meta.read_text())
            if stored.get("key") == key:
                return folder
    return None


def check_file(
    path: Path,
    *,
    by: Actor | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> Checked:
    """Read and validate a file (no registry comparison yet). Raises ImportFailed.

    A region-bound operator (`by`) may only import rows of their own wilayah. A file that was
    checked before under the same conditions (same bytes, sheet, scope, deployment, day and
    wilayah tree) reuses that check: operators upload the same list again and again.
    """
    deployment = deployment_codes()
    if not deployment:
        raise ImportFailed(_("Set up the deployment first (lindung setup)."), "NO_DEPLOYMENT")
    scope = codes_for(by) if isinstance(by, User) and by.region_id else None
    sha = sha256_of(path)
    key = _check_key(sha=sha, sheet=sheet, scope=scope, deployment=deployment)
    if (folder := _cached_check(key)) is not None:
        meta = json.loads((folder / "checked.json").read_text())
        return Checked(
            checked=pl.read_parquet(folder / "checked.parquet"),
            original_frame=None,
            rows_skipped=int(meta["rows_skipped"]),
            file_sha256=sha,
            key=key,
            cached_from=folder,
        )
    try:
        read = read_table(
            path,
            sheet=sheet,
            progress=(lambda done, total: progress("read", done, total)) if progress else None,
        )
    except ReadError as error:
        raise ImportFailed(str(error.message), error.code) from error
    if progress:
        progress("validate", 0, read.frame.height)
    checked = validate(
        read.frame,
        places=Places.for_deployment(deployment),
        today=timezone.localdate(),
        scope=scope,
        progress=(lambda done, total: progress("validate", done, total)) if progress else None,
    )
    return Checked(checked, read.original, read.rows_skipped, sha, key)


def preview(checked: Checked, *, source: str | None, progress: Progress | None = None) -> Outcome:
    """What a commit would do now, writing nothing (dry run, web preview)."""
    source_id = Source.objects.filter(name=source).values_list("id", flat=True).first()
    existing = load.existing_workers(source_id)
    # The scope the rows were checked under: a region-bound operator's rows never touch a
    # worker outside it (NIK_OUTSIDE_SCOPE).
    plan, _pairs = decide(
        checked.checked,
        existing,
        scope=checked.key["scope"],
        progress=(lambda done, total: progress("compare", done, total)) if progress else None,
    )
    outcome = Outcome(None, checked.file_sha256, checked.rows_skipped, _outcome_rows(plan))
    outcome.extra["changes"] = field_changes(plan, existing)
    return outcome


def _outcome_rows(plan: pl.DataFrame) -> pl.DataFrame:
    return plan.select("_row", "nik", "status", "errors", "warnings", "changed")


def import_file(
    *,
    by: Actor,
    path: Path,
    source: str,
    sheet: str | None = None,
    dry_run: bool = False,
    file_name: str | None = None,
    report: Path | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Check a file and, unless `dry_run`, commit it as one batch. Used by `lindung import`."""
    source = _source_name(source)
    if progress:
        progress("read", 0, 0)
    checked = check_file(path, by=by, sheet=sheet, progress=progress)
    if dry_run:
        outcome = preview(checked, source=source)
    else:
        batch = _create_batch(
            by=by,
            path=path,
            file_name=file_name or path.name,
            sha=checked.file_sha256,
            source=source,
            sheet=sheet or "",
            move=False,
            runner=recovery.runner_id(),  # this process: its batch is failed when it ends
        )
        _store_checked(batch, checked)
        outcome = _commit(by=by, batch=batch, checked=checked.checked, progress=progress)
    if report is not None:
        write_report(checked.original, outcome.rows, report)
    return outcome


def _source_name(source: str) -> str:
    name = re.sub(r"\s+", " ", source or "").strip()
    if not name:
        raise ImportFailed(_("Name the source of the list (for example DTKS 2025)."), "NO_SOURCE")
    return name[:100]


def batch_dir(batch: ImportBatch) -> Path:
    return Path(settings.VAR_DIR) / "imports" / str(batch.id)


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "upload"
    return cleaned[:120]


@transaction.atomic
def _create_batch(
    *,
    by: Actor,
    path: Path,
    file_name: str,
    sha: str,
    source: str,
    sheet: str,
    move: bool,
    runner: str = "",
) -> ImportBatch:
    src, _created = Source.objects.get_or_create(name=source)
    batch = ImportBatch(
        source=src,
        file_name=Path(file_name).name[:255],
        file_sha256=sha,
        file_size=path.stat().st_size,
        sheet=sheet[:100],
        status=ImportStatus.QUEUED,
        created_by=actor_user(by),
        runner=runner,
        heartbeat_at=timezone.now(),
    )
    folder = batch_dir(batch)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / _safe_name(file_name)
    if move:
        shutil.move(path, stored)
    else:
        shutil.copyfile(path, stored)
    batch.file_path = str(stored.relative_to(Path(settings.VAR_DIR)))
    batch.save()
    record(
        by=by,
        action=Action.IMPORT_UPLOADED,
        obj=batch,
        after={"file_name": batch.file_name, "file_sha256": sha, "source": source},
        batch=batch.id,
    )
    return batch


def _store_checked(batch: ImportBatch, checked: Checked) -> None:
    folder = batch_dir(batch)
    for name in ("checked", "original"):
        if checked.cached_from == folder:
            continue  # this batch's own earlier check (a retry after its process stopped)
        if checked.cached_from is not None:
            shutil.copyfile(checked.cached_from / f"{name}.parquet", folder / f"{name}.parquet")
        else:
            frame = checked.checked if name == "checked" else checked.original
            frame.write_parquet(folder / f"{name}.parquet")
    meta = {"key": checked.key, "rows_skipped": checked.rows_skipped}
    (folder / "checked.json").write_text(json.dumps(meta))
    ImportBatch.objects.filter(pk=batch.pk).update(rows_skipped=checked.rows_skipped)
    batch.rows_skipped = checked.rows_skipped


def _commit(
    *, by: Actor | None, batch: ImportBatch, checked: pl.DataFrame, progress: Progress | None = None
) -> Outcome:
    """Decide against the registry as it is now and write everything in one transaction."""
    now = timezone.now()
    actor, label = actor_user(by), actor_label(by)
    requester, scope = _bound_uploader(batch, by)
    # This process takes the batch (a CLI batch is queued, a web one committing already).
    if not recovery.claim(
        batch.pk,
        status=ImportStatus.COMMITTING,
        expect=(ImportStatus.QUEUED, ImportStatus.COMMITTING),
    ):
        raise ImportFailed(_("This import is not ready to be committed."), "NOT_READY")
    folder = batch_dir(batch)
    (folder / steps.FILE_NAME).unlink(missing_ok=True)  # an earlier attempt's steps
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
                else:
                    # A large page cache for this connection: a million index inserts in random
                    # order otherwise spend most of their time re-reading index pages.
                    cursor.execute("PRAGMA cache_size = -262144")
            if progress:
                progress("compare", 0, checked.height)
            existing = load.existing_workers(batch.source_id)
            plan, pairs = decide(
                checked,
                existing,
                scope=scope,
                progress=(lambda d, t: progress("compare", d, t)) if progress else None,
            )
            changes = field_changes(plan, existing)
            load.write(
                plan,
                pairs,
                existing,
                batch=batch.id,
                source_id=batch.source_id,
                actor=actor,
                actor_label=label,
                now=now,
                progress=progress,
            )
            if requester is not None:
                request_moves(by=requester, moves=requested_moves(plan), batch=batch)
            outcome = Outcome(batch.id, batch.file_sha256, batch.rows_skipped, _outcome_rows(plan))
            outcome.extra["changes"] = changes
            _finish(batch, outcome, by=actor, status=ImportStatus.COMMITTED, when=now)
            record(
                by=by,
                action=Action.WORKERS_IMPORTED,
                obj=batch,
                after=_audit_counts(outcome),
                batch=batch.id,
            )
    except BaseException as error:
        reason = recovery.interrupted_reason(ImportStatus.COMMITTING)
        if isinstance(error, Exception):
            reason = _("The import failed and nothing was saved: %s") % type(error).__name__
        try:
            recovery.fail_import(by=SYSTEM, batch_id=batch.pk, reason=reason)
        except Exception:  # a connection lost with the process: the stale check finds it
            logger.exception("import %s: could not mark the batch failed", batch.pk)
        raise
    _store_outcome(batch, outcome)
    if outcome.count(RowStatus.NEW) + outcome.count(RowStatus.UPDATED) >= ANALYZE_AFTER:
        _refresh_statistics()
    return outcome


def _bound_uploader(batch: ImportBatch, by: Actor | None) -> tuple[User | None, list[str] | None]:
    """(user, scope) of the region-bound operator a commit acts for — the uploader, else the
    committer — with their scope as it is now; (None, None) for the whole deployment."""
    for user in (batch.created_by, by):
        if isinstance(user, User) and user.region_id:
            return user, codes_for(user)
    return None, None


# After a commit that writes this many rows the planner's statistics are refreshed: without them
# PostgreSQL plans the registry list over a million fresh rows as if the table were empty.
ANALYZE_AFTER = 10_000


def _refresh_statistics() -> None:
    with connection.cursor() as cursor:
        for model in (Worker, WorkerSource, WorkerNameToken):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _audit_counts(outcome: Outcome) -> dict[str, Any]:
    counts = outcome.summary()
    counts.pop("batch")
    counts["codes"] = outcome.code_counts()
    return counts


def _finish(
    batch: ImportBatch, outcome: Outcome, *, by: User | None, status: str, when: Any
) -> None:
    summary = outcome.summary()
    batch.status = status
    batch.rows_total = summary["rows_total"]
    batch.new = summary["new"]
    batch.updated = summary["updated"]
    batch.unchanged = summary["unchanged"]
    batch.rejected = summary["rejected"]
    batch.warnings = summary["warnings"]
    batch.code_counts = outcome.code_counts()
    batch.progress_done = batch.progress_total = summary["rows_total"]
    batch.error = ""
    fields = ["status", "rows_total", "new", "updated", "unchanged", "rejected", "warnings"]
    fields += ["code_counts", "progress_done", "progress_total", "error"]
    if status in (ImportStatus.COMMITTED, ImportStatus.DISCARDED):
        batch.decided_by = by
        batch.decided_at = when
        fields += ["decided_by", "decided_at"]
    batch.save(update_fields=fields)


# --- The web flow: upload, check in the background, preview, then commit or discard -----------


def start_import(
    *, by: Actor, upload: IO[bytes], file_name: str, source: str, sheet: str = ""
) -> ImportBatch:
    """Keep an uploaded file and queue its check. The file is streamed to disk with a size cap."""
    source = _source_name(source)
    try:
        incoming, sha = save_upload(upload, Path(settings.VAR_DIR) / "imports")
    except ReadError as error:
        raise ImportFailed(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)},
            "FILE_TOO_LARGE",
        ) from error
    try:
        batch = _create_batch(
            by=by,
            path=incoming,
            file_name=file_name,
            sha=sha,
            source=source,
            sheet=sheet,
            move=True,
        )
    finally:
        incoming.unlink(missing_ok=True)
    from lindung.registry.tasks import check_import_task

    check_import_task.enqueue(str(batch.id))
    return batch


def run_check(batch_id: str) -> None:
    """The background check of an uploaded batch: read, validate, preview counts."""
    batch = ImportBatch.objects.get(pk=batch_id)
    expect = (ImportStatus.QUEUED, ImportStatus.CHECKING)
    if not recovery.claim(batch.pk, status=ImportStatus.CHECKING, expect=expect):
        return
    steps.save(batch.pk, "read", 0, 0)
    try:
        checked = check_file(
            Path(settings.VAR_DIR) / batch.file_path,
            by=batch.created_by,
            sheet=batch.sheet or None,
            progress=lambda step, done, total: steps.save(batch.pk, step, done, total),
        )
        _store_checked(batch, checked)
        steps.save(batch.pk, "compare", 0, checked.checked.height)
        outcome = preview(
            checked,
            source=batch.source.name,
            progress=lambda step, done, total: steps.save(batch.pk, step, done, total),
        )
    except ImportFailed as error:
        recovery.fail_import(by=SYSTEM, batch_id=batch.pk, reason=error.message, interrupted=False)
        return
    _store_outcome(batch, outcome)
    batch.refresh_from_db()
    if batch.status != ImportStatus.CHECKING:  # failed as stale or discarded meanwhile
        return
    _finish(batch, outcome, by=None, status=ImportStatus.READY, when=None)


def _store_outcome(batch: ImportBatch, outcome: Outcome) -> None:
    """The row outcomes and the changes to registered workers, for the batch page."""
    folder = batch_dir(batch)
    outcome.rows.write_parquet(folder / "rows.parquet")
    if "changes" in outcome.extra:
        changes, counts = outcome.extra["changes"]
        changes.write_parquet(folder / "changes.parquet")
        (folder / "changes.json").write_text(json.dumps(counts))


def changes_of(batch: ImportBatch) -> tuple[pl.DataFrame, dict[str, Any]] | None:
    """(changes, counts per field) of a checked or committed batch (pipeline/changes.py), or
    None when they are not kept (an older batch, or removed after the retention)."""
    folder = batch_dir(batch)
    frame, counts = folder / "changes.parquet", folder / "changes.json"
    if not (frame.exists() and counts.exists()):
        return None
    return pl.read_parquet(frame), json.loads(counts.read_text())


def commit_import(*, by: Actor, batch: ImportBatch) -> ImportBatch:
    """Queue the commit of a checked batch (status READY)."""
    # One conditional UPDATE: of two clicks (or two tabs) only the first finds the batch ready
    # and queues the job; the second is told the import is already being saved.
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
        status=ImportStatus.COMMITTING,
        progress_step="compare",
        progress_done=0,
        runner="",
        heartbeat_at=timezone.now(),
    )
    if not updated:
        status = ImportBatch.objects.filter(pk=batch.pk).values_list("status", flat=True).first()
        if status in (ImportStatus.COMMITTING, ImportStatus.COMMITTED):
            raise ImportFailed(
                _("This import is already being saved or has been saved."), "ALREADY_COMMITTING"
            )
        raise ImportFailed(_("This import is not ready to be committed."), "NOT_READY")
    from lindung.registry.tasks import commit_import_task

    user = actor_user(by)
    commit_import_task.enqueue(str(batch.pk), user.pk if user else None)
    batch.refresh_from_db()
    return batch


def run_commit(batch_id: str, user_id: int | None) -> None:
    from lindung.accounts.models import User

    batch = ImportBatch.objects.get(pk=batch_id)
    by = User.objects.filter(pk=user_id).first() if user_id else None
    folder = batch_dir(batch)
    checked = pl.read_parquet(folder / "checked.parquet")

    def progress(step: str, done: int, total: int) -> None:
        steps.save_to_file(folder, step, done, total)

    _commit(by=by, batch=batch, checked=checked, progress=progress)


@transaction.atomic
def discard_import(*, by: Actor, batch: ImportBatch) -> ImportBatch:
    recovery.fail_if_stale(batch)  # a batch whose process is gone can be discarded
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status not in (ImportStatus.READY, ImportStatus.FAILED, ImportStatus.QUEUED):
        raise ImportFailed(_("This import can no longer be discarded."), "NOT_DISCARDABLE")
    locked.status = ImportStatus.DISCARDED
    locked.decided_by = actor_user(by)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record(by=by, action=Action.IMPORT_DISCARDED, obj=locked, batch=locked.id)
    # The uploaded file and the checked rows are not needed any more (UU PDP): removed once the
    # discard is saved. A folder left behind by a crash here is removed by `lindung purge`.
    folder = batch_dir(locked)
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
    return locked


def outcome_rows(batch: ImportBatch) -> pl.DataFrame | None:
    path = batch_dir(batch) / "rows.parquet"
    return pl.read_parquet(path) if path.exists() else None


def write_batch_report(batch: ImportBatch, path: Path) -> int:
    rows = outcome_rows(batch)
    original_path = batch_dir(batch) / "original.parquet"
    if rows is None or not original_path.exists():
        raise ImportFailed(_("This import has no checked rows yet."), "NOT_CHECKED")
    return write_report(pl.read_parquet(original_path), rows, path)
