"""A leader's officer opens the dashboard, clicks a kecamatan on the map, then a desa, reaches
the worker list, and downloads the summary PDF with the map in it. The maps name their areas,
the legend names the indicator, and a desa is shown among its greyed neighbours.

The real Lombok Timur boundaries are used when LINDUNG_SHARED_DATA holds them (squares
otherwise), so the screenshots in test-artifacts/ show the maps as people see them."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from pypdf import PdfReader

from lindung.accounts.tests.factories import PASSWORD, UserFactory, admin
from lindung.dashboard.aggregates import refresh
from lindung.dashboard.tests.test_pages import YEAR_COST, boundaries
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
from lindung.ui.tests.browser import ARTIFACTS, lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _boundaries() -> None:
    folder = Path(django_settings.LINDUNG_SHARED_DATA)
    files = [folder / "lombok_timur_kecamatan_from_desa.geojson",
             folder / "lombok_timur_desa.geojson"]  # fmt: skip
    if not all(path.exists() for path in files):
        boundaries()
        return
    for path in files:
        call_command("regions", "load-boundaries", str(path), verbosity=0)


def _map_shot(page: Any, name: str) -> None:
    path = screenshot(page, name).with_name(f"{name}-map.png")
    page.locator("[data-testid=dashboard-map]").screenshot(path=str(path))


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
    _boundaries()
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
    _map_shot(page, "dashboard-kabupaten")
    # every kecamatan named on the map; the legend names the indicator and its unit
    assert page.locator(
        "[data-testid=dashboard-map] .map-label[data-label='52.03.01'] span"
    ).is_visible()
    shown = page.locator("[data-testid=dashboard-map] .map-label:not(.map-label-hidden)")
    areas = page.locator("[data-testid=dashboard-map] path[data-code]").count()
    before = shown.count()
    assert before >= areas * 2 // 3  # a name that would cover another waits for a zoom
    page.locator("[data-testid=dashboard-map] .leaflet-control-zoom-in").click()
    page.wait_for_timeout(500)
    assert shown.count() >= before
    page.locator("[data-testid=dashboard-map] .leaflet-control-zoom-out").click()
    page.wait_for_timeout(500)
    title = page.locator("[data-testid=map-legend-title]")
    assert title.is_visible() and "(" in title.inner_text()
    assert page.locator("[data-testid=map-legend] li[data-kind=class]").count() >= 1

    page.locator("[data-testid=dashboard-map] [data-code='52.03.07']").click()
    page.wait_for_url("**area=52.03.07**")
    page.wait_for_selector("[data-testid=dashboard-map][data-map-ready='1']")
    assert "Selong" in page.locator("[data-testid=dashboard-title]").inner_text()
    assert page.locator("[data-testid=dashboard-map] .map-label").count() >= 1
    _map_shot(page, "dashboard-kecamatan")

    page.locator("[data-testid=dashboard-map] [data-code='52.03.07.1001']").click()
    page.wait_for_url("**area=52.03.07.1001**")
    assert page.locator("[data-testid=ind-registered]").inner_text() == "6"
    # the desa highlighted among its greyed neighbours, with its name on the map
    page.wait_for_selector("[data-testid=dashboard-map][data-map-ready='1']")
    selected = page.locator("[data-testid=dashboard-map] path[data-role=selected]")
    assert selected.count() == 1 and selected.get_attribute("data-code") == "52.03.07.1001"
    assert page.locator("[data-testid=dashboard-map] path[data-role=context]").count() >= 1
    label = page.locator("[data-testid=dashboard-map] .map-label[data-label='52.03.07.1001'] span")
    assert label.is_visible()
    assert page.locator("[data-testid=map-legend] li[data-kind=context]").is_visible()
    _map_shot(page, "dashboard-desa")

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
    _pdf_shot(pdf, "dashboard-summary-pdf")

    page.goto(live_server.url + "/dasbor/?tahun=2027&area=52.03.07")
    with page.expect_download() as info:
        page.click("[data-testid=kecamatan-pdf]")
    pdf = tmp_path / "kecamatan.pdf"
    info.value.save_as(pdf)
    assert "Pancor" in PdfReader(pdf).pages[0].extract_text()  # a desa named on the map
    _pdf_shot(pdf, "dashboard-kecamatan-pdf")

    # leadership: the small counts are hidden, and their areas hatched grey on the map
    page.context.clear_cookies()
    leader = UserFactory(username="pimpinan.peta", role=Role.PIMPINAN)
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", leader.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(live_server.url + "/dasbor/?tahun=2027&indikator=registered")  # Pringgabaya: 4
    page.wait_for_selector("[data-testid=dashboard-map][data-map-ready='1']")
    assert page.locator("[data-testid=dashboard-map] path[data-no-data='1']").count() >= 1
    assert page.locator("[data-testid=map-legend] li[data-kind=missing]").is_visible()
    _map_shot(page, "dashboard-pimpinan")


def _pdf_shot(pdf: Path, name: str) -> None:
    """The PDF's first page as PNG beside the screenshots, when pdftoppm is installed."""
    if shutil.which("pdftoppm") is None:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)],
        check=True,
    )
