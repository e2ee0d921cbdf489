"""A person uploads a messy worker list, watches the check, previews, commits and downloads the
report with the problems marked."""

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.registry import imports
from lindung.registry.models import ImportBatch, Worker
from lindung.registry.tests.test_import import HEADER, NIK_1, good_rows
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_uploads_previews_commits_and_downloads_the_report(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    # Jobs wait in a queue that this test works off, so the page shows the waiting and progress.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    user = admin(username="admin.dinas")
    bad = f"5;{NIK_1[:-1]}9;;L;28-05-1980;Pancor;Selong;Petani;;"
    upload = tmp_path / "daftar-bpu-selong.csv"
    upload.write_text("\n".join([HEADER, *good_rows(), bad]) + "\n", encoding="utf-8")

    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.click("nav.nav >> text=Impor")
    form = page.locator("[data-testid=import-upload]")
    form.locator("input[name=file]").set_input_files(str(upload))
    form.locator("input[name=source]").fill("DTKS 2025")
    form.locator("button[type=submit]").click()

    page.wait_for_selector("[data-testid=import-progress]")
    screenshot(page, "import-progress")
    batch = ImportBatch.objects.get()
    imports.run_check(str(batch.pk))  # what the background worker does

    page.wait_for_selector("[data-status=ready]")  # the page polls and shows the preview
    assert page.locator("[data-testid=count-new]").inner_text() == "3"
    assert page.locator("[data-testid=count-rejected]").inner_text() == "1"
    assert "NAME_MISSING" in page.locator("[data-testid=import-problems]").inner_text()
    screenshot(page, "import-preview")
    assert not Worker.objects.exists()

    page.click("[data-testid=import-commit]")
    page.wait_for_selector("[data-status=committing]")
    imports.run_commit(str(batch.pk), user.pk)
    page.wait_for_selector("[data-status=committed]")
    assert Worker.objects.count() == 3
    screenshot(page, "import-committed")

    with page.expect_download() as info:
        page.click("[data-testid=import-report]")
    report = tmp_path / "report.xlsx"
    info.value.save_as(report)
    frame = pl.read_excel(report, engine="calamine", infer_schema_length=0)
    assert frame.get_column("NIK").to_list() == [
        *(row.split(";")[1] for row in good_rows()),
        NIK_1[:-1] + "9",
    ]
    assert "NAME_MISSING" in frame.row(3)[-2]
