"""Indonesian for everyone, whatever the browser asks; a user's own choice follows them."""

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from lindung.accounts import services
from lindung.accounts.models import User
from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.audit.models import Event

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SWITCH = reverse("set-language")
USERS = reverse("accounts:user-list")
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def _html(response: HttpResponse) -> str:
    return response.content.decode()


def _log_in(client: Client, user: User) -> HttpResponse:
    response = client.post(
        LOGIN, {"username": user.username, "password": PASSWORD, "next": USERS}, **ENGLISH_BROWSER
    )
    assert response.status_code == 302, response
    return response


def test_the_login_page_is_indonesian_for_an_english_browser(client: Client) -> None:
    response = client.get(LOGIN, **ENGLISH_BROWSER)
    html = _html(response)
    assert '<html lang="id">' in html
    assert "<h1>Masuk</h1>" in html
    assert response["Content-Language"] == "id"


def test_a_logged_in_page_is_indonesian_for_an_english_browser(client: Client) -> None:
    client.force_login(admin())
    html = _html(client.get(USERS, **ENGLISH_BROWSER))
    assert '<html lang="id">' in html
    assert "Keluar" in html and "Log out" not in html


def test_the_switch_saves_the_choice_on_the_profile_and_audits_it(client: Client) -> None:
    user = admin(username="siti")
    client.force_login(user)
    response = client.post(SWITCH, {"language": "en", "next": USERS})
    assert response.status_code == 302 and response["Location"] == USERS
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.language == "en"
    event = Event.objects.get(action="language_changed")
    assert (event.actor, event.object_id) == (user, str(user.pk))
    assert (event.before, event.after) == ({"language": ""}, {"language": "en"})
    assert "Log out" in _html(client.get(USERS, **ENGLISH_BROWSER))

    # The same choice again changes nothing and writes no second event.
    client.post(SWITCH, {"language": "en", "next": USERS})
    assert Event.objects.filter(action="language_changed").count() == 1


def test_a_user_who_chose_english_gets_english_after_logging_in_from_a_fresh_browser() -> None:
    user = admin(username="siti")
    services.set_language(by=user, user=user, language="en")

    fresh = Client()  # no session, no language cookie
    response = _log_in(fresh, user)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = _html(fresh.get(response["Location"], **ENGLISH_BROWSER))
    assert '<html lang="en">' in html and "Log out" in html


def test_the_profile_wins_over_the_choice_made_on_the_login_page(client: Client) -> None:
    user = admin(username="siti")
    services.set_language(by=user, user=user, language="id")
    response = client.post(SWITCH, {"language": "en", "next": LOGIN})
    assert response["Location"] == LOGIN
    assert "<h1>Log in</h1>" in _html(client.get(LOGIN, **ENGLISH_BROWSER))
    assert not Event.objects.filter(action="language_changed").exclude(actor=user).exists()

    _log_in(client, user)
    assert "Keluar" in _html(client.get(USERS))


def test_a_user_who_never_chose_keeps_the_login_page_choice(client: Client) -> None:
    user = admin(username="siti")
    client.post(SWITCH, {"language": "en", "next": LOGIN})
    _log_in(client, user)
    assert "Log out" in _html(client.get(USERS))
    user.refresh_from_db()
    assert user.language == ""  # nothing chosen once logged in: nothing saved


def test_an_unknown_language_is_refused() -> None:
    user = admin()
    with pytest.raises(services.AccountError):
        services.set_language(by=user, user=user, language="fr")
    user.refresh_from_db()
    assert user.language == ""


def test_a_user_page_shows_the_users_language(client: Client) -> None:
    user = admin(username="siti")
    services.set_language(by=user, user=user, language="en")
    client.force_login(admin(username="boss"))
    html = _html(client.get(reverse("accounts:user-detail", args=[user.pk])))
    assert "Bahasa Inggris" in html


def test_the_login_page_links_the_public_calculator(client: Client) -> None:
    html = _html(client.get(LOGIN))
    assert f'href="{reverse("rules:calculator")}"' in html
    assert client.get(reverse("rules:calculator")).status_code == 200
