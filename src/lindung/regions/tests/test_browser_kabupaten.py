"""In an installation that serves several kabupaten/kota: an administrator of the whole
installation picks the kabupaten/kota to work on and switches from the header; each one's policy
is its own. The provincial officer lands on the dashboard and reads every kabupaten/kota's lists,
changing nothing."""

from typing import Any

import pytest
from django.conf import settings

from lindung.accounts.tests.factories import PASSWORD, UserFactory, admin
from lindung.regions.loaders import read_tree
from lindung.regions.models import Deployment, Region
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.rules.policy import Policy
from lindung.rules.services import save_policy_version
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _with_lombok_barat() -> str:
    """Lombok Timur as the browser tests have it, Lombok Barat beside it; a desa of the latter."""
    lombok_timur()
    rows = [row for row in read_tree(settings.LINDUNG_AREA_DATA) if row[0].startswith("52.01")]
    Region.objects.bulk_create(
        [Region(code=c, name=n, name_key=k, level=lv, type=t, parent_id=p)
         for c, n, k, lv, t, p in rows],
        ignore_conflicts=True,
    )  # fmt: skip
    Deployment.objects.get(pk=1).areas.set(["52.01", "52.03"])
    return next(c for c, _n, _k, lv, _t, _p in rows if lv == 4)


def _policies() -> None:
    for code, name in (("52.01", "Perbup Lombok Barat"), ("52.03", "Perbup Lombok Timur")):
        data = Policy.default((code,)).to_data()
        save_policy_version(by="test", data=data, name=name, kabupaten=code)


def _log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_an_installation_admin_picks_and_switches_the_kabupaten(
    page: Any, live_server: Any
) -> None:
    _with_lombok_barat()
    _policies()
    admin(username="admin.ntb")
    _log_in(page, live_server, "admin.ntb")

    page.goto(live_server.url + "/aturan/kebijakan/")
    page.wait_for_selector("[data-testid=kabupaten-picker]")
    screenshot(page, "kabupaten-picker")
    page.click("[data-testid=pick-52\\.01]")
    page.wait_for_selector("text=Perbup Lombok Barat")
    assert page.locator("text=Perbup Lombok Timur").count() == 0

    switch = page.locator("[data-testid=kabupaten-switch]")
    switch.locator("select").select_option("52.03")
    switch.locator("button").click()
    page.wait_for_selector("text=Perbup Lombok Timur")
    assert page.locator("text=Perbup Lombok Barat").count() == 0
    screenshot(page, "kabupaten-switched")


def test_the_provincial_officer_reads_every_kabupatens_lists(page: Any, live_server: Any) -> None:
    desa = _with_lombok_barat()
    _policies()
    WorkerFactory(desil=1)
    WorkerFactory(desil=1, desa_id=desa)
    for code in ("52.01", "52.03"):
        approve(by="test", scenario=run_scenario(by="test", fiscal_year=2027, kabupaten=code))
    UserFactory(username="provinsi.ntb", role=Role.PROVINSI)
    _log_in(page, live_server, "provinsi.ntb")

    assert page.url.endswith("/dasbor/")
    page.goto(live_server.url + "/sasaran/daftar/")
    table = page.locator("[data-testid=lists]")
    table.locator("text=Kabupaten Lombok Barat").wait_for()
    assert table.locator("text=Kabupaten Lombok Timur").count() == 1
    assert page.locator("nav >> text=Kebijakan").count() == 0  # no policy, no scenarios
    screenshot(page, "provinsi-lists")
