"""How long uploaded worker lists are kept: personal data only as long as it is needed (UU PDP
27/2022).

An import's folder `var/imports/<batch id>/` holds the uploaded file, its checked rows and the
row outcomes behind the preview and the checked-file download. It is removed

- at once when the import is discarded (`imports.discard_import`);
- `LINDUNG_UPLOAD_RETENTION_DAYS` after the commit;
- the same days after the upload for an import that failed, or that was never committed nor
  discarded (the purge then discards it).

Folders without a batch (an upload killed before its batch was saved) and the temporary files of
killed uploads are removed once they are a day old. `purge_uploads` applies all this: the
`lindung purge` command and, once a day, `lindung serve`. The batch rows, their counts and the
audit log stay.
"""

import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lindung.audit.actions import Action
from lindung.audit.actors import SYSTEM
from lindung.audit.services import record
from lindung.registry.imports import batch_dir
from lindung.registry.models import ImportBatch, ImportStatus

# An entry without a batch this young may belong to an upload still being saved.
ORPHAN_AFTER = timedelta(days=1)
_UNDECIDED = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.READY)
_TEMP_PREFIX = "incoming-"  # imports.start_import streams an upload here first


def retention_days() -> int:
    return max(0, int(settings.LINDUNG_UPLOAD_RETENTION_DAYS))


def removal_due(batch: ImportBatch, *, days: int | None = None) -> datetime | None:
    """When a batch's files are (or were) due for removal; None while its commit runs."""
    keep = timedelta(days=retention_days() if days is None else days)
    if batch.status == ImportStatus.DISCARDED:
        return batch.decided_at or batch.created_at
    if batch.status == ImportStatus.COMMITTED:
        return (batch.decided_at or batch.created_at) + keep
    if batch.status == ImportStatus.COMMITTING:
        return None
    return batch.created_at + keep  # failed, or waiting for a check or a decision


@dataclass(frozen=True)
class Kept:
    """What the batch page says about the batch's files."""

    days: int
    files: bool  # the folder is still there
    report: bool  # the checked file can be downloaded
    until: datetime | None  # when the files are, or were, due for removal


def kept_for(batch: ImportBatch) -> Kept:
    folder = batch_dir(batch)
    report = batch.status in (ImportStatus.READY, ImportStatus.COMMITTED) and all(
        (folder / name).exists() for name in ("original.parquet", "rows.parquet")
    )
    return Kept(retention_days(), folder.is_dir(), report, removal_due(batch))


@dataclass
class Purged:
    removed_folders: int = 0
    orphans: int = 0
    bytes: int = 0
    discarded: list[str] = field(default_factory=list)  # batches never decided, now discarded
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "removed_folders": self.removed_folders,
            "orphans": self.orphans,
            "bytes": self.bytes,
            "discarded": self.discarded,
            "dry_run": self.dry_run,
        }


def purge_uploads(*, now: datetime | None = None, dry_run: bool = False) -> Purged:
    """Remove the folders whose retention has passed and the orphans; one audit event (system
    actor, counts and batch ids only) when anything was removed. `dry_run` removes nothing."""
    now = now or timezone.now()
    root = Path(settings.VAR_DIR) / "imports"
    purged = Purged(dry_run=dry_run)
    if not root.is_dir():
        return purged
    folders: dict[uuid.UUID, Path] = {}
    orphans: list[Path] = []
    for entry in root.iterdir():
        batch_id = _batch_id(entry)
        if batch_id is not None:
            folders[batch_id] = entry
        elif entry.name.startswith(_TEMP_PREFIX) and _older(entry, now - ORPHAN_AFTER):
            orphans.append(entry)
    with transaction.atomic():
        batches = ImportBatch.objects.filter(pk__in=list(folders)).only(
            "id", "status", "created_at", "decided_at"
        )
        if not dry_run:
            batches = batches.select_for_update()  # a commit queued meanwhile waits
        known = {batch.pk: batch for batch in batches}
        expired: list[Path] = []
        stale: list[uuid.UUID] = []
        for batch_id, folder in folders.items():
            batch = known.get(batch_id)
            if batch is None:
                if _older(folder, now - ORPHAN_AFTER):
                    orphans.append(folder)
                continue
            due = removal_due(batch)
            if due is not None and due <= now:
                expired.append(folder)
                if batch.status in _UNDECIDED:
                    stale.append(batch_id)
        purged.removed_folders, purged.orphans = len(expired), len(orphans)
        purged.bytes = sum(_size(path) for path in [*expired, *orphans])
        purged.discarded = sorted(str(batch_id) for batch_id in stale)
        if dry_run or not (expired or orphans):
            return purged
        ImportBatch.objects.filter(pk__in=stale).update(
            status=ImportStatus.DISCARDED, decided_by=None, decided_at=now
        )
        for path in [*expired, *orphans]:
            _remove(path)
        record(
            by=SYSTEM,
            action=Action.IMPORTS_PURGED,
            object_type=ImportBatch._meta.label_lower,
            after={**purged.as_json(), "retention_days": retention_days()},
        )
    return purged


def _batch_id(entry: Path) -> uuid.UUID | None:
    if not entry.is_dir():
        return None
    try:
        batch_id = uuid.UUID(entry.name)
    except ValueError:
        return None
    return batch_id if str(batch_id) == entry.name else None  # named as batch_dir names it


def _older(path: Path, than: datetime) -> bool:
    return path.stat().st_mtime <= than.timestamp()


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
