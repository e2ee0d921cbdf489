from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PasswordChangeRequiredMiddleware:
    """A user whose password was reset by an admin must choose their own before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {
                reverse("accounts:password-change"),
                reverse("accounts:logout"),
                reverse("set-language"),
            }
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("accounts:password-change")
        return self.get_response(request)


def chosen_language(request: HttpRequest) -> str:
    """The language of this request: the logged-in user's choice, else the language cookie (a
    choice made before logging in), else Indonesian. The browser's Accept-Language is ignored:
    an office computer set up in English still shows Indonesian."""
    available = {code for code, _name in settings.LANGUAGES}
    user = request.user
    if user.is_authenticated and (own := getattr(user, "language", "")) in available:
        return str(own)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in available else settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Answers in `chosen_language` (in place of Django's LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response
