from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lindung.accounts.decorators import require
from lindung.accounts.roles import Capability
from lindung.audit.models import Event


@require(Capability.VIEW_AUDIT)
def event_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.select_related("actor")[:100]
    return render(request, "audit/event_list.html", {"events": events})
