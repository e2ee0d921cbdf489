from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "csrf_failure.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django could not read (for example an upload whose file name is longer than a
    multipart header may be): an Indonesian page in the application's frame, not Django's bare
    one. Django's own view renders 400.html without the request, so the menu could not show."""
    return render(request, "400.html", status=400)
