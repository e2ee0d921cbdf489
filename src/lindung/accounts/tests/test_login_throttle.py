"""The per-address lock (axes) and the per-username growing delay (accounts/throttle.py)."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lindung.accounts import throttle
from lindung.accounts.tests.factories import PASSWORD, UserFactory
from lindung.audit.models import Event

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.20"
HOME = "192.0.2.44"
WRONG = "tebakan-salah-1"


class Clock:
    """The throttle's clock, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.moment = timezone.now()

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock() -> Iterator[Clock]:
    fake = Clock()
    with mock.patch.object(throttle, "now", fake):
        yield fake


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _ip_locked(response: Any) -> bool:
    names = [t.name for t in response.templates]
    return response.status_code == 429 and "accounts/locked_out.html" in names


def test_one_ip_spraying_many_usernames_is_stopped() -> None:
    users = [UserFactory(username=f"staf{i}") for i in range(25)]
    attacker = Client(REMOTE_ADDR=ATTACKER)
    responses = [
        _login(attacker, user.username, password)
        for password in ("lombok-2024", "rahasia-123", "selong-indah", "bpjs-sehat-1")
        for user in users
    ]
    limit = settings.AXES_FAILURE_LIMIT
    assert [r.status_code for r in responses[: limit - 1]] == [200] * (limit - 1)
    assert all(_ip_locked(r) for r in responses[limit - 1 :])
    # Even a right password is refused from that address, for any username.
    assert _ip_locked(_login(attacker, "staf3", PASSWORD))
    assert not _logged_in(attacker)
    assert Event.objects.filter(action="login_locked_out").count() == len(responses) - limit + 2
    # No username was tried often enough to be delayed: its owner elsewhere logs in at once.
    owner = Client(REMOTE_ADDR=HOME)
    assert _login(owner, "staf3", PASSWORD).status_code == 302


def test_the_real_user_from_another_ip_is_delayed_not_locked_out(clock: Clock) -> None:
    UserFactory(username="siti")
    others = [UserFactory(username=f"staf{i}") for i in range(settings.AXES_FAILURE_LIMIT)]
    attacker = Client(REMOTE_ADDR=ATTACKER)
    limit = settings.LOGIN_USERNAME_FAILURE_LIMIT
    for _ in range(limit + 3):  # each guess waits for the delay of the previous one
        if wait := throttle.wait_before_login("siti"):
            clock.advance(seconds=wait.total_seconds())
        _login(attacker, "siti", WRONG)
    # The attacker's address goes on with other usernames until axes locks it.
    for user in others[: settings.AXES_FAILURE_LIMIT - limit - 3]:
        _login(attacker, user.username, WRONG)
    assert _ip_locked(_login(attacker, others[-1].username, PASSWORD))

    siti = Client(REMOTE_ADDR=HOME)
    delayed = _login(siti, "siti", PASSWORD)
    assert delayed.status_code == 429
    assert "Terlalu banyak percobaan. Coba lagi dalam 8 detik." in delayed.content.decode()
    assert not _logged_in(siti)

    clock.advance(seconds=8)
    assert _login(siti, "siti", PASSWORD).status_code == 302
    assert _logged_in(siti)
    # The attacker's address stays locked, even with the right password.
    assert _ip_locked(_login(attacker, "siti", PASSWORD))


def test_an_office_behind_one_nat_is_not_locked_out_by_a_few_mistakes() -> None:
    staff = [UserFactory(username=f"staf{i}") for i in range(20)]
    # 40 typing mistakes from one address, more than its limit; each colleague's own are
    # forgiven when they log in.
    for user in staff:
        person = Client(REMOTE_ADDR=OFFICE)
        for _ in range(2):
            assert _login(person, user.username, WRONG).status_code == 200
        assert _login(person, user.username, PASSWORD).status_code == 302
    assert 2 * len(staff) > settings.AXES_FAILURE_LIMIT

    # One colleague who keeps getting it wrong is delayed; the others are not.
    careless = Client(REMOTE_ADDR=OFFICE)
    for _ in range(settings.LOGIN_USERNAME_FAILURE_LIMIT):
        _login(careless, "staf0", WRONG)
    assert _login(careless, "staf0", PASSWORD).status_code == 429
    assert _login(Client(REMOTE_ADDR=OFFICE), "staf1", PASSWORD).status_code == 302


def test_the_delay_grows_and_then_lets_the_correct_password_in(
    client: Client, clock: Clock
) -> None:
    user = UserFactory(username="siti")
    for _ in range(settings.LOGIN_USERNAME_FAILURE_LIMIT - 1):
        assert _login(client, "siti", WRONG).status_code == 200
    waits = []
    for _ in range(4):
        failed = _login(client, "siti", WRONG)
        assert failed.status_code == 429
        waits.append(int(failed["Retry-After"]))
        # During the wait even the right password is refused, and the refusal counts for
        # nothing: the wait does not start over.
        clock.advance(seconds=waits[-1] - 0.5)
        refused = _login(client, "siti", PASSWORD)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "1"
        assert "Coba lagi dalam 1 detik." in refused.content.decode()
        assert not _logged_in(client)
        clock.advance(seconds=0.5)
    assert waits == [1, 2, 4, 8]

    assert _login(client, "siti", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    # The login forgave the failures: the next mistake starts from zero.
    assert throttle.wait_before_login("siti") is None
    assert throttle.record_failure("siti") is None


def test_the_delay_stops_growing_at_the_cooloff_time(client: Client, clock: Clock) -> None:
    limit = settings.LOGIN_USERNAME_FAILURE_LIMIT
    delays = [throttle.delay_after(n).total_seconds() for n in range(limit - 1, limit + 14)]
    assert delays == [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]
    UserFactory(username="siti")
    for _ in range(limit + 15):
        if wait := throttle.wait_before_login("siti"):
            clock.advance(seconds=wait.total_seconds())
        _login(client, "siti", WRONG)
    response = _login(client, "siti", PASSWORD)
    assert response.status_code == 429
    assert "Coba lagi dalam 15 menit." in response.content.decode()


def test_a_username_is_throttled_whatever_its_case(clock: Clock) -> None:
    UserFactory(username="siti")
    for _ in range(settings.LOGIN_USERNAME_FAILURE_LIMIT):
        _login(Client(), "SITI", WRONG)
    assert _login(Client(), "siti", PASSWORD).status_code == 429


def test_failures_are_forgotten_after_a_quiet_day(clock: Clock) -> None:
    UserFactory(username="siti")
    for _ in range(settings.LOGIN_USERNAME_FAILURE_LIMIT + 1):
        if wait := throttle.wait_before_login("siti"):
            clock.advance(seconds=wait.total_seconds())
        _login(Client(), "siti", WRONG)
    clock.advance(days=1)
    assert throttle.wait_before_login("siti") is None
    assert throttle.record_failure("siti") is None  # counted from one again


def test_the_throttle_keeps_no_username_and_logs_no_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    UserFactory(username="siti")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    with caplog.at_level("DEBUG"):
        for _ in range(settings.LOGIN_USERNAME_FAILURE_LIMIT + 1):
            _login(attacker, "siti", WRONG)
    assert caplog.records
    assert "siti" not in caplog.text
    assert ATTACKER not in caplog.text
    stored = throttle.LoginFailures.objects.get()
    assert "siti" not in stored.username_hash
