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

    # The page opens with a result for the defaults: wait for this one, not any one.
    page.wait_for_selector("[data-testid=total] strong:text-is('Rp134.400')")
    assert page.locator("[data-testid=reduction]").count() == 1
    assert page.locator("[data-testid=total-per-month]").inner_text() == "Rp8.400"
    screenshot(page, "public-calculator")

    page.select_option("select[name=funding]", "apbd")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=reduction]", state="detached")
    assert page.locator("[data-testid=total-per-month]").inner_text() == "Rp16.800"


def test_the_calculator_reads_income_as_people_type_it(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/aturan/kalkulator/")
    income = page.locator("input[name=income]")
    assert income.get_attribute("inputmode") == "numeric"
    assert income.input_value() == "1.000.000"  # the default, with separators
    income.fill("Rp 2.500.000")
    page.click("main form button[type=submit]")
    # (the default's result is on the page already: wait for the new one)
    page.wait_for_selector("[data-testid=contribution-table] td:text-is('Rp2.500.000')")

    income.fill("2.5")  # reads two ways: the old result goes and the page says why
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=contribution-table]", state="detached")
    errors = page.locator("[data-testid=calculator-errors]").inner_text()
    assert "Tanda pemisah pada “2.5” tidak jelas" in errors
    screenshot(page, "public-calculator-unreadable-income")
