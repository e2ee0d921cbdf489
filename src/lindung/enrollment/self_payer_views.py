"""(being written)"""

from typing import Any

from django.http import HttpRequest, HttpResponse


def self_payer_list(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


def self_payer_upload(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError
