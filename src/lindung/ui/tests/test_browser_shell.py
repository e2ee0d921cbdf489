import re

import pytest

from lindung.accounts.tests.factories import PASSWORD, UserFactory
from lindung.regions.models import Region
from lindung.roles import Role
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NIK_PATTERN = re.compile(r"\b\d{16}\b")


def log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def test_operator_kecamatan_sees_only_their_kecamatan(page, live_server) -> None:
    lombok_timur()
    UserFactory(username="op.selong", role=Role.OPERATOR_KECAMATAN, region_id="52.03.07")
    log_in(page, live_server, "op.selong")
    page.wait_for_selector("[data-testid=home-todo]")  # their home: the work overview
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Wilayah").click()
    page.wait_for_selector("[data-testid=children-table]")
    assert page.url.endswith("/wilayah/52.03.07/")
    assert "Selong" in page.locator("h1").inner_text()
    rows = page.locator("[data-testid=children-table] tbody tr")
    expected = Region.objects.filter(parent_id="52.03.07").count()
    assert rows.count() == expected
    codes = list(page.locator("[data-testid=children-table] tbody code").all_inner_texts())
    assert all(code.startswith("52.03.07.") for code in codes)
    screenshot(page, "operator-kecamatan-home")

    # Another kecamatan's page and API answer 404: not even its existence shows.
    response = page.goto(live_server.url + "/wilayah/52.03.08/")
    assert response is not None and response.status == 404
    assert "Pringgabaya" not in page.content()
    response = page.goto(live_server.url + "/api/v1/wilayah/52.03.08/children")
    assert response is not None and response.status == 404


def test_pimpinan_sees_aggregates_and_no_nik(page, live_server) -> None:
    lombok_timur()
    UserFactory(username="bupati", role=Role.PIMPINAN)
    log_in(page, live_server, "bupati")
    page.wait_for_url("**/dasbor/")  # their home: the dashboard
    page.goto(live_server.url + "/wilayah/")
    page.wait_for_selector("[data-testid=kecamatan-table]")
    assert page.locator("[data-testid=kecamatan-table] tbody tr").count() == 21
    assert page.locator("[data-testid=desa-count]").inner_text() == "254"
    assert not NIK_PATTERN.search(page.content())
    # Person-level pages are not in the menu and refuse a typed URL.
    nav = page.locator("nav.nav").inner_text()
    assert "Audit" not in nav
    response = page.goto(live_server.url + "/audit/")
    assert response is not None and response.status == 403
    assert not NIK_PATTERN.search(page.content())
    screenshot(page, "pimpinan-forbidden")


def test_a_user_switches_the_language(page, live_server) -> None:
    lombok_timur()
    UserFactory(username="admin.dinas", role=Role.ADMIN)
    log_in(page, live_server, "admin.dinas")
    page.wait_for_selector("[data-testid=home-todo]")
    page.goto(live_server.url + "/wilayah/")
    page.wait_for_selector("[data-testid=kecamatan-table]")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("button", name="Keluar").is_visible()
    page.click("[data-testid=lang-en]")
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.locator("[data-testid=kecamatan-table] thead").inner_text().count("Population") == 1
    screenshot(page, "admin-home-en")
    page.click("[data-testid=lang-id]")
    page.wait_for_selector("html[lang=id]")
    assert page.get_by_role("button", name="Keluar").is_visible()
    screenshot(page, "admin-home-id")


def test_the_home_page_fits_a_phone_screen(browser, live_server) -> None:
    lombok_timur()
    UserFactory(username="op.kab", role=Role.OPERATOR_KABUPATEN)
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    log_in(phone, live_server, "op.kab")
    phone.wait_for_selector("[data-testid=home-todo]")  # the work overview
    # The page itself does not scroll sideways; only the table scrolls inside its frame.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "phone-home")
    phone.goto(live_server.url + "/wilayah/")
    phone.wait_for_selector("[data-testid=kecamatan-table]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "phone-wilayah")
    context.close()
