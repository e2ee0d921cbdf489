"""The request of a view that answers htmx: `request.htmx` (django-htmx's middleware) is typed.

def worker_list(request: HtmxHttpRequest) -> HttpResponse:
    template = "registry/worker_list.html" + ("#worker-table" if request.htmx else "")
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
