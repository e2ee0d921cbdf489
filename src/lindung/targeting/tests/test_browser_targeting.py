"""An administrator tightens the policy, watches the preview, runs two scenarios, compares them,
approves one and downloads the lampiran as XLSX and PDF."""

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.registry.models import Occupation
from lindung.registry.tests.factories import WorkerFactory
from lindung.rules.models import PolicyVersion
from lindung.targeting.models import BeneficiaryList, Scenario
from lindung.targeting.tests.test_scenarios import YEAR_COST
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_policy_preview_two_scenarios_compare_approve_and_download(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    poor = [WorkerFactory(desil=d) for d in (1, 1, 2, 3)]
    WorkerFactory(desil=4)  # eligible under the default policy (desil ≤ 4), not under desil ≤ 3
    WorkerFactory(desil=2, occupation=Occupation.PETANI_TEMBAKAU)
    user = admin(username="admin.dinas")

    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")

    # The policy: the highest desil from 4 to 3; the preview follows while typing.
    page.goto(live_server.url + "/aturan/kebijakan/ubah/")
    page.fill("input[name=name]", "Desil 1-3")
    page.fill("input[name=fiscal_year]", "2027")
    page.fill("input[name=max_desil]", "3")
    page.locator("input[name=max_desil]").dispatch_event("change")
    eligible = page.locator("[data-testid=preview-eligible]")
    eligible.wait_for()
    # (a CSS wait: the Content-Security-Policy forbids the eval that wait_for_function needs)
    page.wait_for_selector("[data-testid=preview-reason-desil] .num:text-is('1')")
    assert eligible.inner_text().startswith("5 ")
    screenshot(page, "targeting-policy-preview")
    page.click("[data-testid=policy-save]")
    page.wait_for_url("**/aturan/kebijakan/1/")
    assert PolicyVersion.objects.get().data["eligibility"]["max_desil"] == 3

    # Two scenarios: a small and a larger APBD budget.
    for name, budget in (("Rancangan kecil", 2 * YEAR_COST), ("Rancangan besar", 4 * YEAR_COST)):
        page.goto(live_server.url + "/sasaran/")
        form = page.locator("[data-testid=scenario-run]")
        form.locator("input[name=fiscal_year]").fill("2027")
        form.locator("input[name=name]").fill(name)
        form.locator("input[name=budget_apbd]").fill(str(budget))
        form.locator("input[name=budget_dbhcht]").fill(str(YEAR_COST))
        form.locator("button[type=submit]").click()
        page.wait_for_selector("[data-testid=scenario-totals]")
    small, large = Scenario.objects.order_by("pk")
    assert (small.selected, large.selected) == (3, 5)
    assert page.locator("[data-testid=selected]").inner_text() == "5"
    assert page.locator("[data-testid=projection] tbody tr").count() == 3

    # Compare them side by side.
    page.goto(live_server.url + "/sasaran/")
    page.check(f"input[name=s][value='{small.pk}']")
    page.check(f"input[name=s][value='{large.pk}']")
    page.click("[data-testid=compare]")
    totals = page.locator("[data-testid=compare-totals]")
    totals.wait_for()
    screenshot(page, "targeting-compare")
    assert "Rancangan kecil" in page.content() and "Rancangan besar" in page.content()

    # Approve the larger one as list 1.
    page.goto(live_server.url + f"/sasaran/{large.pk}/")
    page.click("[data-testid=approve-link]")
    page.fill("input[name=decree]", "188.45/12/DISNAKERTRANS/2026")
    page.click("[data-testid=approve]")
    page.wait_for_selector("[data-testid=list-totals]")
    approved = BeneficiaryList.objects.get()
    assert approved.scenario_id == large.pk and approved.number == 1
    assert page.locator("[data-testid=list-selected]").inner_text() == "5"
    screenshot(page, "targeting-approved-list")

    with page.expect_download() as info:
        page.click("[data-testid=list-xlsx]")
    xlsx = tmp_path / "lampiran.xlsx"
    info.value.save_as(xlsx)
    sheet = pl.read_excel(xlsx, sheet_name="Lampiran", has_header=False)
    cells = {str(v) for row in sheet.iter_rows() for v in row if v is not None}
    listed = {w.nik for w in large_workers(large)}
    assert listed <= cells and {w.nik for w in poor} <= listed

    with page.expect_download() as info:
        page.click("[data-testid=list-pdf]")
    pdf = tmp_path / "lampiran.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def large_workers(scenario: Scenario) -> list[Any]:
    from lindung.registry.models import Worker
    from lindung.targeting.models import Selection

    ids = Selection.objects.filter(scenario=scenario).values_list("worker_id", flat=True)
    return list(Worker.objects.filter(pk__in=list(ids)))
