from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lindung.audit import queries
from lindung.audit.exports import EXPORT_LIMIT, write_events_xlsx
from lindung.audit.forms import EventFilterForm
from lindung.audit.services import record_export
from lindung.decorators import require, user_of
from lindung.roles import Capability
from lindung.ui.downloads import send_file


@require(Capability.VIEW_AUDIT)
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET)
    events = queries.filtered_events(form.event_filter())
    page = queries.event_page(events, before=request.GET.get("before", ""))
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "rows": queries.event_rows(page.events, viewer=user_of(request)),
            "next_cursor": page.next_cursor,
            "export_limit": EXPORT_LIMIT,
        },
    )


@require(Capability.VIEW_AUDIT)
def event_export(request: HttpRequest) -> FileResponse:
    """The current filter as XLSX (at most EXPORT_LIMIT rows, newest first)."""
    event_filter = EventFilterForm(request.GET).event_filter()
    events = queries.filtered_events(event_filter)[:EXPORT_LIMIT].iterator(chunk_size=2000)
    rows: list[int] = []

    def write(out: Path) -> None:
        rows.append(write_events_xlsx(events, viewer=user_of(request), out=out))

    response = send_file(f"audit-{timezone.localtime():%Y%m%d-%H%M}.xlsx", write)
    record_export(by=user_of(request), filters=event_filter.as_dict(), rows=rows[0])
    return response
