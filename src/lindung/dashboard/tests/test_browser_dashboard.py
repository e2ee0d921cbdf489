"""A leader's officer opens the dashboard, clicks a kecamatan on the map, then a desa, reaches
the worker list, and downloads the summary PDF with the map in it."""

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.dashboard.aggregates import refresh
from lindung.dashboard.tests.test_pages import YEAR_COST, boundaries
from lindung.registry.tests.factories import WorkerFactory
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_map_drill_down_to_the_worker_list_and_the_summary_pdf(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    workers = WorkerFactory.create_batch(6, desil=1)  # Pancor, Selong
    WorkerFactory.create_batch(4, desil=2, desa_id="52.03.08.2001")
    scenario = run_scenario(by="test", fiscal_year=2027,
                            budgets={"apbd": 5 * YEAR_COST, "dbhcht": 0})  # fmt: skip
    approve(by="test", scenario=scenario)
    boundaries()
    refresh()
    user = admin(username="admin.dinas")

    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")

    page.goto(live_server.url + "/dasbor/?tahun=2027")
    page.wait_for_selector("[data-testid=dashboard-map][data-map-ready='1']")
    page.wait_for_selector("canvas[data-chart-ready='1']")
    assert page.locator("[data-testid=ind-registered]").inner_text() == "10"
    screenshot(page, "dashboard-kabupaten")

    page.locator("[data-testid=dashboard-map] [data-code='52.03.07']").click()
    page.wait_for_url("**area=52.03.07**")
    page.wait_for_selector("[data-testid=dashboard-map][data-map-ready='1']")
    assert "Selong" in page.locator("[data-testid=dashboard-title]").inner_text()
    screenshot(page, "dashboard-kecamatan")

    page.locator("[data-testid=dashboard-map] [data-code='52.03.07.1001']").click()
    page.wait_for_url("**area=52.03.07.1001**")
    assert page.locator("[data-testid=ind-registered]").inner_text() == "6"
    screenshot(page, "dashboard-desa")

    page.click("[data-testid=worker-list-link]")
    page.wait_for_url("**/pekerja/**")
    listed = page.content()
    assert all(worker.name in listed for worker in workers)

    page.goto(live_server.url + "/dasbor/?tahun=2027")
    with page.expect_download() as info:
        page.click("[data-testid=summary-pdf]")
    pdf = tmp_path / "ringkasan.pdf"
    info.value.save_as(pdf)
    reader = PdfReader(pdf)
    content = reader.pages[0].get_contents()
    assert content is not None and b" f*" in content.get_data()  # the map's filled areas
    assert "Lombok Timur" in reader.pages[0].extract_text()
