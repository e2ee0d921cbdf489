"""Sections of the worker page that apps above the registry serve.

The registry sits below rules and targeting (docs/architecture.md, "Layers"), so it does not ask
them about a worker. Instead each of them registers a `WorkerSection` in its `AppConfig.ready()`:
a template of its own and a function that returns that template's context for one worker. The
worker page renders the sections in `order` under its "Sponsorship" heading.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from lindung.registry.models import Worker


@dataclass(frozen=True)
class WorkerSection:
    order: int
    template: str
    context: Callable[[Worker], dict[str, Any]]


_SECTIONS: dict[str, WorkerSection] = {}


def register(section: WorkerSection) -> None:
    """Add a section (once per template: ready() may run more than once in tests)."""
    _SECTIONS[section.template] = section


def render_sections(request: HttpRequest, worker: Worker, *, can_edit: bool) -> list[SafeString]:
    """Each registered section rendered for `worker`; a form in it gets the page's CSRF token."""
    common = {"worker": worker, "can_edit": can_edit, "csrf_token": get_token(request)}
    return [
        render_to_string(section.template, {**common, **section.context(worker)})
        for section in sorted(_SECTIONS.values(), key=lambda s: s.order)
    ]
