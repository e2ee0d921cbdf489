"""An administrator opens an approved list, sees its lampiran being made, enters the signed
decree's number and date, watches the files being made again and downloads them."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
import pypdf
import pytest

from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.regions.services import update_decree_settings
from lindung.registry.tests.factories import WorkerFactory
from lindung.targeting.approval import approve
from lindung.targeting.lampiran_files import make_files
from lindung.targeting.models import LampiranFiles
from lindung.targeting.services import run_scenario
from lindung.targeting.tests.test_scenarios import YEAR_COST
from lindung.ui.tests.browser import ARTIFACTS, lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_enters_the_decree_watches_the_progress_and_downloads(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    # Jobs wait in a queue that this test works off, so the page shows the progress.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    workers = [WorkerFactory(desil=1), WorkerFactory(desil=2),
               WorkerFactory(desil=2, desa_id="52.03.08.2001")]  # fmt: skip
    update_decree_settings(by="test", head_title="", head_name="H. Haerul Warisin",
                           signing_place="Selong", decree_subject="")  # fmt: skip
    scenario = run_scenario(by="test", fiscal_year=2027,
                            budgets={"apbd": 3 * YEAR_COST, "dbhcht": 0})  # fmt: skip
    user = admin(username="admin.dinas")
    approved = approve(by=user, scenario=scenario)
    files = LampiranFiles.objects.get(beneficiary_list=approved)

    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(live_server.url + f"/sasaran/daftar/{approved.number}/")

    # Queued at approval: a moving bar, no download yet.
    page.wait_for_selector("[data-testid=lampiran-progress]")
    assert page.locator("[data-testid=list-pdf]").count() == 0
    assert page.locator("[data-testid=decree-number]").inner_text() == "………"
    screenshot(page, "lampiran-progress")

    # The signed decree's number and date; the files are made again.
    form = page.locator("[data-testid=decree-form]")
    form.locator("input[name=decree]").fill("188.45/12/DISNAKERTRANS/2027")
    form.locator("input[name=decree_date]").fill("2027-01-15")
    form.locator("[data-testid=decree-save]").click()
    page.wait_for_selector("[data-testid=lampiran-progress]")
    assert page.locator("[data-testid=decree-number]").inner_text() == (
        "188.45/12/DISNAKERTRANS/2027"
    )
    make_files(files.pk)  # what the background worker does

    page.wait_for_selector("[data-testid=lampiran-files][data-status=ready]")  # polled
    screenshot(page, "lampiran-ready")

    with page.expect_download() as info:
        page.click("[data-testid=list-pdf]")
    pdf = tmp_path / "lampiran.pdf"
    info.value.save_as(pdf)
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(pdf).pages)
    assert "LAMPIRAN KEPUTUSAN BUPATI LOMBOK TIMUR" in text
    assert "NOMOR : 188.45/12/DISNAKERTRANS/2027" in text
    assert "Selong, 15 Januari 2027" in text and "H. Haerul Warisin" in text
    assert all(w.nik in text for w in workers) and user.username not in text
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "lampiran.pdf")  # synthetic workers: for people to look at
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(ARTIFACTS / "lampiran-pdf-page-1")],
            check=True,
        )  # fmt: skip

    with page.expect_download() as info:
        page.click("[data-testid=list-xlsx]")
    xlsx = tmp_path / "lampiran.xlsx"
    info.value.save_as(xlsx)
    sheet = pl.read_excel(xlsx, sheet_name="Lampiran", has_header=False)
    cells = {str(v) for row in sheet.iter_rows() for v in row if v is not None}
    assert "NOMOR : 188.45/12/DISNAKERTRANS/2027" in cells
    assert {w.nik for w in workers} <= cells and user.username not in cells
