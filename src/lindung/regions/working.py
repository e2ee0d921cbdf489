"""The kabupaten/kota a page works on, in an installation that serves several.

Each kabupaten/kota has its own policy, scenarios, approved lists, wadah and decree: a page that
reads or changes them works on one. A user bound to a kabupaten (or an area of it) always works on
theirs; a user of the whole installation (a provincial officer, the installation's administrator)
picks one, kept in the session, and may switch from the header.

    @require(Capability.CONFIGURE)
    @for_kabupaten
    def policy_edit(request, kabupaten): ...
"""

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render

from lindung.decorators import user_of
from lindung.regions import scope
from lindung.regions.models import Region

SESSION_KEY = "lindung_kabupaten"


def working_kabupaten(request: HttpRequest) -> str | None:
    """The kabupaten/kota the user works on: their only one, the one asked for in the query
    string (`?kabupaten=52.03`, remembered), the one remembered, or None (not chosen yet)."""
    choices = scope.kabupaten_for(user_of(request))
    if len(choices) == 1:
        return choices[0]
    asked = request.GET.get("kabupaten", "")
    if asked in choices:
        request.session[SESSION_KEY] = asked
        return asked
    kept = request.session.get(SESSION_KEY, "")
    return kept if kept in choices else None


def kabupaten_choices(request: HttpRequest) -> list[Region]:
    """The kabupaten/kota a user of several may switch between (none for a user of one)."""
    codes = scope.kabupaten_for(user_of(request))
    return list(Region.objects.filter(code__in=codes).order_by("code")) if len(codes) > 1 else []


def for_kabupaten(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Call `view` with `kabupaten=` the working kabupaten/kota; without one chosen yet, show
    the choice (a link per kabupaten/kota back to this page)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        code = working_kabupaten(request)
        if code is None:
            choices = kabupaten_choices(request)
            if not choices:
                raise Http404
            return render(
                request,
                "regions/kabupaten_picker.html",
                {"choices": choices, "path": request.path},
            )
        offer_switch(request)
        kwargs["kabupaten"] = code
        return view(request, *args, **kwargs)

    return wrapped


def offer_switch(request: HttpRequest) -> None:
    """Show the header's switch between kabupaten/kota on this page (for a user of several):
    pages that work on one kabupaten/kota call this; others show no switch and pay nothing."""
    request.kabupaten_choices = kabupaten_choices(request)  # type: ignore[attr-defined]


def picker_context(request: HttpRequest) -> dict[str, Any]:
    """For the header: the switch between kabupaten/kota, where the page offers it."""
    choices: list[Region] = getattr(request, "kabupaten_choices", [])
    if not choices:
        return {}
    return {"kabupaten_choices": choices, "kabupaten_current": working_kabupaten(request)}
