"""(being written)"""

from typing import Any

from django.http import HttpRequest, HttpResponse


def wadah_list(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


def wadah_edit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError
