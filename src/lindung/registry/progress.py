"""Where a running import is: its step (a code, shown by its Indonesian label) and rows done.

    save(batch_id, "validate", 250_000, 1_000_000)        # the check: the batch row
    save_to_file(folder, "write_new", 0, 1_000_000)      # inside the commit's transaction
    where = progress_of(batch, folder)                    # the batch page: label, step 2 of 3, %

The check runs outside any transaction: each report updates the batch row (`progress_step`,
`progress_done`, `progress_total` and the heartbeat), a handful of times per step (per chunk of
rows read, per group of columns validated), never per row. The commit is one transaction whose
writes no one sees before it ends (and on SQLite no other connection may write meanwhile), so
there the steps go to `progress.json` in the batch's folder, which the page reads while the batch
is being saved.
"""

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lindung.registry import recovery
from lindung.registry.models import ImportBatch, ImportStatus

# The steps of a check and of a commit, in order (the codes are stored, the labels shown).
CHECK_STEPS = ("read", "validate", "compare")
COMMIT_STEPS = (
    "compare",
    "write_new",
    "write_updated",
    "write_sources",
    "write_history",
    "write_duplicates",
)
STEP_LABELS: dict[str, Promise] = {
    "read": _("Reading the file"),
    "validate": _("Checking the rows"),
    "compare": _("Comparing with the registry"),
    "write": _("Saving"),
    "write_new": _("Saving the new workers"),
    "write_updated": _("Saving the changes to registered workers"),
    "write_sources": _("Recording the source of each worker"),
    "write_history": _("Recording the change history"),
    "write_duplicates": _("Recording the possible duplicates"),
}
FILE_NAME = "progress.json"


def step_label(step: str) -> str:
    """The Indonesian label of a step code ("" for none; an unknown code as it is)."""
    label = STEP_LABELS.get(step)
    return str(label) if label is not None else step


def save(batch_id: uuid.UUID, step: str, done: int, total: int) -> None:
    """Record the step of a batch that is being checked (outside any transaction)."""
    ImportBatch.objects.filter(pk=batch_id, status__in=recovery.ACTIVE).update(
        progress_step=step,
        progress_done=done,
        progress_total=total,
        heartbeat_at=timezone.now(),  # progress is the batch's heartbeat
    )


def save_to_file(folder: Path, step: str, done: int, total: int) -> None:
    """Record a step of the commit, whose transaction hides the batch row's changes."""
    target = folder / FILE_NAME
    temporary = folder / f".{FILE_NAME}.{os.getpid()}"
    temporary.write_text(json.dumps({"step": step, "done": done, "total": total}))
    temporary.replace(target)  # atomic: the page never reads half a file


@dataclass(frozen=True)
class Where:
    step: str
    done: int
    total: int
    steps: tuple[str, ...]

    @property
    def label(self) -> str:
        return step_label(self.step)

    @property
    def number(self) -> int:
        """The step's place among its phase's steps, from 1 (0: not started)."""
        return self.steps.index(self.step) + 1 if self.step in self.steps else 0

    @property
    def percent(self) -> int:
        """How far the whole check or commit is: finished steps plus this step's rows."""
        if not self.number:
            return 0
        share = min(1.0, self.done / self.total) if self.total else 0.0
        return min(100, round(100 * (self.number - 1 + share) / len(self.steps)))


def progress_of(batch: ImportBatch, folder: Path) -> Where:
    step, done, total = batch.progress_step, batch.progress_done, batch.progress_total
    steps = COMMIT_STEPS if batch.status == ImportStatus.COMMITTING else CHECK_STEPS
    if batch.status == ImportStatus.COMMITTING:
        stored = _read(folder / FILE_NAME)
        if stored is not None:
            step, done, total = str(stored["step"]), int(stored["done"]), int(stored["total"])
    return Where(step, done, total, steps)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and {"step", "done", "total"} <= data.keys() else None
