import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from lindung.accounts.models import User
from lindung.accounts.tests.factories import PASSWORD, UserFactory, admin
from lindung.audit.models import Event

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _login(client: Client, username: str, password: str, **extra: str) -> object:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_it_logs_in_and_records_the_login_with_the_ip(client: Client) -> None:
    user = UserFactory(username="siti")
    response = _login(client, "siti", PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert response["Location"] == reverse("home:home")
    event = Event.objects.get(action="login")
    assert (event.actor, event.actor_label, event.ip) == (user, "siti", "10.1.2.3")
    assert (event.object_type, event.object_id) == ("accounts.user", str(user.pk))


def test_a_wrong_password_is_refused_and_recorded_with_the_ip(client: Client) -> None:
    UserFactory(username="siti")
    response = _login(client, "siti", "salah-sekali", REMOTE_ADDR="10.1.2.4")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session
    event = Event.objects.get(action="login_failed")
    assert (event.actor, event.actor_label, event.object_repr) == (None, "system", "siti")
    assert event.ip == "10.1.2.4"


def test_logout_is_post_only_and_recorded(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"), REMOTE_ADDR="10.1.2.5")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    event = Event.objects.get(action="logout")
    assert (event.actor, event.ip) == (user, "10.1.2.5")


def test_it_redirects_to_a_safe_next_url_only(client: Client) -> None:
    UserFactory(username="siti")
    response = client.post(
        LOGIN, {"username": "siti", "password": PASSWORD, "next": "/wilayah/52.03.07/"}
    )
    assert response["Location"] == "/wilayah/52.03.07/"
    client.logout()
    response = client.post(
        LOGIN, {"username": "siti", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home:home")


def test_a_deactivated_user_cannot_log_in(client: Client) -> None:
    UserFactory(username="siti", is_active=False)
    response = _login(client, "siti", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(action="login_failed").exists()


def test_a_deactivated_users_open_session_ends(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(reverse("regions:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_too_many_wrong_passwords_delay_even_the_right_one(client: Client) -> None:
    UserFactory(username="siti")
    for _ in range(settings.LOGIN_USERNAME_FAILURE_LIMIT - 1):
        assert _login(client, "siti", "salah-sekali").status_code == 200
    delayed = _login(client, "siti", "salah-sekali")
    assert delayed.status_code == 429
    assert delayed.context["wait_message"]

    response = _login(client, "siti", PASSWORD)
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "_auth_user_id" not in client.session
    event = Event.objects.filter(action="login_failed", object_repr="siti").latest("pk")
    assert event.after == {"delay_seconds": 1}


def test_an_admin_password_reset_lifts_the_delay(client: Client) -> None:
    user = UserFactory(username="siti")
    for _ in range(settings.LOGIN_USERNAME_FAILURE_LIMIT + 3):
        _login(client, "siti", "salah-sekali")
    assert _login(client, "siti", PASSWORD).status_code == 429

    admin_client = Client()
    admin_client.force_login(admin())
    reset = admin_client.post(reverse("accounts:user-reset-password", args=[user.pk]))
    new_password = reset.context["password"]
    event = Event.objects.get(action="password_reset")
    assert event.after["failed_logins_cleared"] == settings.LOGIN_USERNAME_FAILURE_LIMIT

    response = _login(client, "siti", new_password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_user_who_must_change_their_password_is_sent_to_change_it(client: Client) -> None:
    user = UserFactory(username="siti", must_change_password=True)
    response = _login(client, "siti", PASSWORD)
    assert response.status_code == 302
    change = reverse("accounts:password-change")
    for url in (reverse("regions:home"), reverse("audit:event-list"), "/wilayah/52.03.07/"):
        assert client.get(url)["Location"] == change
    assert client.get(change).status_code == 200

    response = client.post(
        change,
        {
            "old_password": PASSWORD,
            "new_password1": "kopi-tubruk-pagi-7",
            "new_password2": "kopi-tubruk-pagi-7",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password("kopi-tubruk-pagi-7")
    assert client.get(reverse("regions:home")).status_code == 200  # still logged in
    event = Event.objects.get(action="password_changed")
    assert (event.before, event.after) == (
        {"must_change_password": True},
        {"must_change_password": False},
    )


def test_the_new_password_must_differ_from_the_current_one(client: Client) -> None:
    user = UserFactory(must_change_password=True)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password1"]
    user.refresh_from_db()
    assert user.must_change_password


def test_the_login_page_renders_for_visitors(client: Client) -> None:
    response = client.get(LOGIN + "?next=/wilayah/52.03.07/")
    assert response.status_code == 200
    assert b'name="next" value="/wilayah/52.03.07/"' in response.content
