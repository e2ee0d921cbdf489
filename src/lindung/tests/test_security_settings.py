"""Cookies, HSTS and the API's own description: the security defaults of settings.py and api.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from lindung.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_csrf_and_session_cookies_end_with_the_browser_session(client: Client) -> None:
    user = UserFactory(username="siti")
    response = client.get(reverse("accounts:login"))
    csrf = response.cookies["lindung_csrf"]
    assert (csrf["expires"], csrf["max-age"]) == ("", "")
    assert csrf["httponly"] and csrf["samesite"] == "Lax"

    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    session = response.cookies["lindung_session"]
    assert (session["expires"], session["max-age"]) == ("", "")


def _settings_with(tmp_path: Path, **env: str) -> dict[str, object]:
    """The security settings as `lindung` computes them from a fresh environment."""
    names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
             "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_AGE"]  # fmt: skip
    script = (
        "import json, lindung.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("HTTPS", "DEBUG")}
    result = subprocess.run(  # our own interpreter and a fixed script
        [sys.executable, "-c", script],
        env={**environ, "LINDUNG_VAR": str(tmp_path), "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_behind_https_hsts_covers_the_subdomains_and_cookies_are_secure(tmp_path: Path) -> None:
    assert _settings_with(tmp_path, HTTPS="1") == {
        "SECURE_HSTS_SECONDS": 365 * 24 * 60 * 60,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_AGE": None,
    }
    plain = _settings_with(tmp_path)
    assert (plain["SECURE_HSTS_SECONDS"], plain["SECURE_HSTS_INCLUDE_SUBDOMAINS"]) == (0, False)


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_an_https_response_carries_hsts_with_include_subdomains(client: Client) -> None:
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("url", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_the_api_description_needs_a_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    client.force_login(UserFactory())
    assert client.get(url).status_code == 200


def test_the_schema_names_the_lookup_and_no_nik_in_a_path(client: Client) -> None:
    client.force_login(UserFactory())
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/registry/workers/lookup"]
    assert not [p for p in paths if "nik" in p.lower()]
