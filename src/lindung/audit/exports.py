"""The audit trail as an XLSX workbook (the audit page's current filter)."""

from collections.abc import Iterable
from typing import IO

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.audit.models import Event
from lindung.audit.queries import changes_for

# A spreadsheet is for reading, not for a full dump: beyond this, narrow the filter.
EXPORT_LIMIT = 100_000


def write_events_xlsx(events: Iterable[Event], *, viewer: User, out: IO[bytes]) -> int:
    """Write `events` (masked for `viewer` as on the page) to `out`; returns the row count.

    Every text goes through write_string, so a value such as `=HYPERLINK(...)` stays text.
    """
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "remove_timezone": True})
    sheet = workbook.add_worksheet(_("Audit log")[:31])
    bold = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    headers = [
        _("Time (local)"),
        _("Actor"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Changes"),
        _("IP address"),
        _("Batch"),
    ]
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, bold)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 5, 18)
    sheet.set_column(6, 6, 60)
    count = 0
    for count, event in enumerate(events, start=1):
        changes = "\n".join(
            f"{c.field}: {c.before} → {c.after}" for c in changes_for(event, viewer=viewer)
        )
        sheet.write_datetime(count, 0, timezone.localtime(event.at), when)
        texts = [
            event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            event.object_repr,
            changes,
            event.ip or "",
            str(event.batch or ""),
        ]
        for column, text in enumerate(texts, start=1):
            sheet.write_string(count, column, text)
    workbook.close()
    return count
