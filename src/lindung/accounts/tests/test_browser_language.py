"""A browser set up in English still gets Indonesian; the user's own choice of English follows
them to their next login."""

from collections.abc import Iterator

import pytest

from lindung.accounts.models import User
from lindung.accounts.tests.factories import PASSWORD, UserFactory
from lindung.audit.models import Event
from lindung.roles import Role
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _english_context(browser):  # type: ignore[no-untyped-def]
    return browser.new_context(
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        viewport={"width": 1280, "height": 900},
    )


@pytest.fixture
def english_page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = _english_context(browser)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    page.wait_for_load_state("networkidle", timeout=5_000)
    context.close()


def _log_in(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/akun/masuk/")
    page.fill("input[name=username]", "admin.dinas")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")


def test_an_english_browser_gets_indonesian_until_the_user_chooses_english(
    browser, english_page, live_server
) -> None:  # type: ignore[no-untyped-def]
    page = english_page
    lombok_timur()
    user = UserFactory(username="admin.dinas", role=Role.ADMIN)

    page.goto(live_server.url + "/akun/masuk/")
    assert page.locator("h1").inner_text() == "Masuk"
    assert page.locator("[data-testid=login-calculator] a").count() == 1
    screenshot(page, "language-login-english-browser")

    _log_in(page, live_server.url)
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("header").get_by_role("button", name="Keluar").is_visible()
    screenshot(page, "language-indonesian-after-login")

    # The audit log names the login by its Indonesian label, not its stored code.
    page.goto(live_server.url + "/audit/")
    table = page.locator("[data-testid=event-table]").inner_text()
    assert "Masuk" in table and "login" not in table and "accounts.user" not in table
    screenshot(page, "language-audit-indonesian")

    page.click("[data-testid=lang-en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("header").get_by_role("button", name="Log out").is_visible()
    user.refresh_from_db()
    assert user.language == "en"
    assert Event.objects.filter(action="language_changed", actor=user).count() == 1
    screenshot(page, "language-english-chosen")

    page.locator("header").get_by_role("button", name="Log out").click()
    page.wait_for_selector("[data-testid=login-form]")
    _log_in(page, live_server.url)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("header").get_by_role("button", name="Log out").is_visible()
    screenshot(page, "language-english-after-logging-in-again")
    assert User.objects.get(pk=user.pk).language == "en"

    # Another computer (no cookie): the login page is Indonesian, the profile wins after login.
    other = _english_context(browser)
    try:
        fresh = other.new_page()
        fresh.goto(live_server.url + "/akun/masuk/")
        assert fresh.locator("h1").inner_text() == "Masuk"
        _log_in(fresh, live_server.url)
        assert fresh.locator("html").get_attribute("lang") == "en"
        fresh.wait_for_load_state("networkidle", timeout=5_000)
    finally:
        other.close()
