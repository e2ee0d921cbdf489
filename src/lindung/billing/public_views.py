"""The public check `/cek/`: a worker types NIK and birth date and learns only whether they are
protected today, until when, by which programs and who pays. No login.

What it never says: the name, the NIK typed (the form comes back empty), the desa, the KPJ, nor
whether the NIK is in the registry. An unknown NIK, a wrong birth date and a registered worker
without protection get the same page, the same bytes apart from the CSRF token; only a
protected worker, or one in grace (protection paused until the contributions are paid), gets an
answer of their own. `coverage.person` runs the same queries for the three, so the response
time does not tell them apart either (what is left, a few rows more or less, is far below the
network's jitter).

Abuse: a POST form, so the NIK is never in a URL nor an access log (Django logs no request
bodies, and `sensitive_post_parameters` keeps it out of error reports); CSRF-protected; counted
per client address (`audit.middleware.client_ip`, the address the audit log records) and for
everyone, in Django's cache. The project configures no CACHES: the default local-memory cache
is per process, so with N gunicorn workers an address gets up to N times the limit. Over a
limit: HTTP 429 and an Indonesian page.
"""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from lindung.audit.middleware import client_ip
from lindung.billing import coverage
from lindung.billing.public_forms import CheckForm
from lindung.rules.national import SELF_PAID
from lindung.rules.policy import all_source_labels

PER_ADDRESS = 10  # checks from one client address per window
EVERYONE = 1_000  # checks from all addresses together per window (scraping from many)
WINDOW = 10 * 60  # seconds
LABELS_KEY = "cek:source-labels"


@dataclass(frozen=True)
class Answer:
    """What the page may say: nothing that identifies the person."""

    kind: str  # "protected", "in_grace" or "none"
    on: datetime.date
    until: datetime.date | None = None
    programs: tuple[str, ...] = ()
    payer: str = ""


@never_cache
@sensitive_post_parameters("nik", "birth_date")
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """Public: am I protected? The form, and after a POST the answer with an empty form."""
    if request.method != "POST":
        return render(request, "billing/cek.html", {"form": CheckForm()})
    if not _allowed(request):
        response = render(
            request, "billing/cek_limited.html", {"minutes": WINDOW // 60}, status=429
        )
        response["Retry-After"] = str(WINDOW - int(timezone.now().timestamp()) % WINDOW)
        return response
    form = CheckForm(request.POST)
    if not form.is_valid():
        return render(request, "billing/cek.html", {"form": form})
    today = timezone.localdate()
    data = form.cleaned_data
    cover = coverage.person(nik=data["nik"], birth_date=data["birth_date"], on=today)
    context = {"form": CheckForm(), "answer": _answer(cover, today)}
    return render(request, "billing/cek.html", context)


def _answer(cover: coverage.Cover | None, today: datetime.date) -> Answer:
    if cover is None or not (cover.protected or cover.in_grace):
        return Answer(kind="none", on=today)
    kind = "protected" if cover.protected else "in_grace"
    programs = tuple(_program(code) for code in cover.programs) if cover.protected else ()
    return Answer(kind=kind, on=today, until=cover.until, programs=programs, payer=_payer(cover))


def _program(code: str) -> str:
    names = {
        "JKK": _("JKK (work accident benefit)"),
        "JKM": _("JKM (death benefit)"),
        "JHT": _("JHT (old-age savings)"),
    }
    return names.get(code, code)


def _payer(cover: coverage.Cover) -> str:
    """Who pays the contributions: the policy's label of the funding source, or the worker."""
    if cover.payer == SELF_PAID:
        return _("Mandiri: you pay yourself")
    labels = cache.get(LABELS_KEY)
    if labels is None:  # kept a minute: `coverage.person` already reads the policy per check
        labels = all_source_labels()
        cache.set(LABELS_KEY, labels, timeout=60)
    return str(labels.get(cover.payer, cover.payer.upper()))


def _allowed(request: HttpRequest) -> bool:
    """Count this check against its address's limit and everyone's; False when over either. A
    check refused for its address does not count against everyone's: one address cannot use
    up the checks of all the others."""
    window = int(timezone.now().timestamp()) // WINDOW
    address = client_ip(request) or "unknown"
    own = salted_hmac("lindung.billing.cek", address).hexdigest()[:32]  # no address in the cache
    return _count(f"cek:{window}:{own}") <= PER_ADDRESS and _count(f"cek:{window}") <= EVERYONE


def _count(key: str) -> int:
    """Add one to a window's counter; returns the new count."""
    cache.add(key, 0, timeout=2 * WINDOW)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=2 * WINDOW)
        return 1
