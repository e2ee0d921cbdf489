"""Login throttling: a lock per IP address, and a growing delay (never a lock) per username.

Two attacks, two limits:

* **One address trying many usernames** (password spraying). django-axes counts failed logins
  per IP address across all usernames (`AXES_LOCKOUT_PARAMETERS = ["ip_address"]`) and locks
  the address for `AXES_COOLOFF_TIME` after `AXES_FAILURE_LIMIT` (30) of them: HTTP 429 and
  `accounts/locked_out.html`, even for a right password. The limit is high so that an office
  behind one NAT address is not locked out by its staff's typing mistakes, and a successful
  login forgives that user's own failures from that address (`forgive`); axes' own reset on
  success is off because it would forgive every failure of the address.
* **Many tries at one username**, from anywhere. After `LOGIN_USERNAME_FAILURE_LIMIT` (5) wrong
  passwords for a username, from any address, each further attempt must wait
  2^(failures - limit) seconds after the last failure, at most `AXES_COOLOFF_TIME`. The wait is
  not slept in the request (that would tie up a worker): an attempt during it is refused with
  HTTP 429 and the time left, before any password is checked, and counts for nothing. After
  the wait the right password logs in, so someone who knows a username can slow its owner
  down but never lock them out, and the attacker's own address runs into the lock above.

Why not axes alone: it has one failure limit for all its lockout parameters, and it locks
rather than delays. The per-username counts live in the database (`LoginFailures`) because
every gunicorn worker must see the same counts (the default cache is per process), and axes
keeps its own in its tables. A username is forgotten after a successful login, an admin's
password reset, or a day without failures. Nothing here logs a username or an address.
"""

import logging
from datetime import datetime, timedelta

from axes.utils import reset as reset_axes
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from lindung.accounts.models import LoginFailures

log = logging.getLogger(__name__)

# A username with no failure for this long starts again from zero.
FORGET_AFTER = timedelta(days=1)


def now() -> datetime:
    """The throttle's clock (tests move it instead of waiting)."""
    return timezone.now()


def _hash(username: str) -> str:
    key = username.strip().casefold()  # `Siti` and `SITI` are one username to throttle
    return salted_hmac("lindung.accounts.throttle", key, algorithm="sha256").hexdigest()


def delay_after(failures: int) -> timedelta:
    """The wait after the last of `failures` wrong passwords: 0 up to the limit, then 1 s, 2 s,
    4 s … doubling up to the cool-off time."""
    over = failures - settings.LOGIN_USERNAME_FAILURE_LIMIT
    if over < 0:
        return timedelta(0)
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    return min(timedelta(seconds=2 ** min(over, 30)), cooloff)


def wait_before_login(username: str) -> timedelta | None:
    """How long an attempt for `username` must still wait; None when it may try now."""
    if not username.strip():
        return None
    moment = now()
    row = LoginFailures.objects.filter(
        username_hash=_hash(username), last_failure_at__gt=moment - FORGET_AFTER
    ).first()
    if row is None:
        return None
    wait = row.last_failure_at + delay_after(row.failures) - moment
    if wait <= timedelta(0):
        return None
    log.info("Login refused: the username is delayed (%d failures).", row.failures)
    return wait


def record_failure(username: str) -> timedelta | None:
    """Count a wrong password for `username`; returns the wait it starts (None: no wait)."""
    if not username.strip():
        return None
    moment = now()
    with transaction.atomic():
        LoginFailures.objects.filter(last_failure_at__lte=moment - FORGET_AFTER).delete()
        row, _created = LoginFailures.objects.select_for_update().get_or_create(
            username_hash=_hash(username), defaults={"last_failure_at": moment}
        )
        row.failures += 1
        row.last_failure_at = moment
        row.save(update_fields=["failures", "last_failure_at"])
    wait = delay_after(row.failures)
    if not wait:
        return None
    log.info("Login delayed: %d failures for one username, next attempt in %s.", row.failures, wait)
    return wait


def forgive(*, username: str, ip: str | None = None) -> int:
    """Forget the failures of `username` (and, given `ip`, its failures from that address in
    axes' per-address count); returns how many failures the username had."""
    row = LoginFailures.objects.filter(username_hash=_hash(username)).first()
    failures = row.failures if row else 0
    if row:
        row.delete()
    if ip:
        reset_axes(ip=ip, username=username)
    return failures


def client_str(
    username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest
) -> str:
    """How axes names a client in its log lines: a keyed hash of the address, so the lines of
    one client can be followed without the address (or username) itself."""
    digest = salted_hmac("lindung.accounts.throttle.client", ip_address or "").hexdigest()
    return f"client {digest[:10]}"
