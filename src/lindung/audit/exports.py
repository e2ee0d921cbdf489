"""The audit trail as an XLSX workbook (the audit page's current filter)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.audit.labels import model_label
from lindung.audit.models import Event
from lindung.audit.queries import changes_for
from lindung.xlsx import Column, Kind, Workbook

if TYPE_CHECKING:
    from lindung.accounts.models import User

# A spreadsheet is for reading, not for a full dump: beyond this, narrow the filter.
EXPORT_LIMIT = 100_000


def write_events_xlsx(events: Iterable[Event], *, viewer: User, out: Path) -> int:
    """Write `events` (masked for `viewer` as on the page) to `out`; returns the row count.

    Every text goes through lindung.xlsx, so a value such as `=HYPERLINK(...)` stays text.
    """
    columns = [
        Column(_("Time (local)"), Kind.DATETIME, width=20),
        Column(_("Actor"), width=18),
        Column(_("Action"), width=18),
        Column(_("Object type"), width=18),
        Column(_("Object id"), width=18),
        Column(_("Object"), width=18),
        Column(_("Changes"), width=60),
        Column(_("IP address")),
        Column(_("Batch")),
    ]
    count = 0
    with Workbook(out) as book:
        sheet = book.sheet(_("Audit log"))
        sheet.header(0, columns)
        for count, event in enumerate(events, start=1):
            changes = "\n".join(
                f"{c.label or c.field}: {c.before} → {c.after}"
                for c in changes_for(event, viewer=viewer)
            )
            sheet.row(
                count,
                [timezone.localtime(event.at), event.actor_label, event.action_label,
                 model_label(event.object_type), event.object_id, event.object_repr, changes,
                 event.ip or "", str(event.batch or "")],
            )  # fmt: skip
    return count
