import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from lindung.accounts.decorators import require, user_of
from lindung.accounts.roles import Capability
from lindung.audit import queries
from lindung.audit.exports import EXPORT_LIMIT, write_events_xlsx
from lindung.audit.forms import EventFilterForm
from lindung.audit.services import record_export


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
def event_export(request: HttpRequest) -> HttpResponse:
    """The current filter as XLSX (at most EXPORT_LIMIT rows, newest first)."""
    event_filter = EventFilterForm(request.GET).event_filter()
    events = queries.filtered_events(event_filter)[:EXPORT_LIMIT].iterator(chunk_size=2000)
    out = io.BytesIO()
    rows = write_events_xlsx(events, viewer=user_of(request), out=out)
    record_export(by=user_of(request), filters=event_filter.as_dict(), rows=rows)
    name = f"audit-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )
