"""A desa operator searches the registry as they would type it: "muhamad" finds the Muhammads
(and M., Moh.), the count is exact, and the page numbers lead through the results."""

from typing import Any

import pytest

from lindung.accounts.tests.factories import PASSWORD, operator_desa
from lindung.registry.queries import PAGE_SIZE
from lindung.registry.tests.factories import WorkerFactory
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PANCOR = "52.03.07.1001"
SELONG = "52.03.07.1002"


def test_a_search_finds_spelling_variants_and_pages_through_them(
    page: Any, live_server: Any
) -> None:
    lombok_timur()
    givens = ["Zohri", "Sahwan", "Idris", "Yusuf", "Hasan"]
    firsts = ["Muhammad", "M.", "Moh.", "H. Muhammad", "Lalu Muhammad"]
    for n in range(PAGE_SIZE * 2 + 3):
        WorkerFactory(name=f"{firsts[n % 5]} {givens[n // 5 % 5]} {n:03d}", desa_id=PANCOR)
    WorkerFactory(name="Baiq Siti Aminah", desa_id=PANCOR)
    WorkerFactory(name="Muhammad Selong", desa_id=SELONG)  # outside the operator's desa
    operator = operator_desa(PANCOR, username="op.pancor")

    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", operator.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(live_server.url + "/pekerja/")
    page.fill("input[name=q]", "muhamad")
    page.locator("[data-testid=worker-filters] button[type=submit]").click()
    page.wait_for_url("**q=muhamad**")

    count = page.locator("[data-testid=worker-count]").inner_text()
    assert "103" in count
    names = page.locator("[data-testid=worker-row] td:first-child").all_inner_texts()
    assert len(names) == PAGE_SIZE
    assert any(n.startswith("M. ") for n in names) and any(n.startswith("H. ") for n in names)
    assert "Muhammad Selong" not in page.locator("main").inner_text()
    assert "Baiq Siti Aminah" not in names
    screenshot(page, "search-muhamad-page-1")

    page.locator("[data-testid=page-3]").click()
    page.wait_for_url("**page=3**")
    assert page.locator("[data-testid=page-current]").inner_text() == "3"
    assert page.locator("[data-testid=worker-row]").count() == 3
    page.locator("[data-testid=previous]").click()
    page.wait_for_url("**page=2**")
    assert page.locator("[data-testid=worker-row]").count() == PAGE_SIZE
    assert "Moh. " in page.locator("[data-testid=worker-table]").inner_text()
    screenshot(page, "search-muhamad-page-2")
