"""A village clerk, not logged in, works out what a self-paying farmer pays."""

from typing import Any

import pytest

from lindung.ui.tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anyone_can_work_out_a_contribution_without_logging_in(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/aturan/kalkulator/")
    page.fill("input[name=income]", "1000000")
    page.fill("input[name=month]", "2026-05")
    page.select_option("select[name=funding]", "mandiri")
    page.select_option("select[name=months]", "12")
    page.click("main form button[type=submit]")

    page.wait_for_selector("[data-testid=reduction]")
    assert page.locator("[data-testid=total-per-month]").inner_text() == "Rp8.400"
    assert page.locator("[data-testid=total]").inner_text() == "Rp134.400"
    screenshot(page, "public-calculator")

    page.select_option("select[name=funding]", "apbd")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=reduction]", state="detached")
    assert page.locator("[data-testid=total-per-month]").inner_text() == "Rp16.800"
