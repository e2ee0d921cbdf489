"""An operator uploads a list with errors, updates and a possible duplicate, reads the explained
preview (codes with their messages, before → after), commits, follows the duplicate to its
review and merges it after the confirmation page."""

import datetime
from pathlib import Path
from typing import Any

import pytest

from lindung.accounts.tests.factories import PASSWORD, operator_kecamatan
from lindung.registry.models import DuplicateStatus, PossibleDuplicate, Sex, Worker
from lindung.registry.tests.factories import WorkerFactory, nik_for
from lindung.registry.tests.test_import import HEADER, NIK_1, NIK_2, good_rows
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_reads_the_explained_preview_and_merges_a_duplicate(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    lombok_timur()
    # Registered already: NIK_1 under a shorter name as a trader, and Baiq Sainah of the file
    # under another NIK (a possible duplicate).
    WorkerFactory(nik=NIK_1, name="Lalu Ahmad", occupation="pedagang", phone="")
    born = datetime.date(1985, 1, 2)
    sainah = WorkerFactory(
        name="Baiq Sainah", sex=Sex.FEMALE, birth_date=born, nik=nik_for("52.03.07", born, "P", 77)
    )
    user = operator_kecamatan("52.03.07", username="operator.selong")
    first, second, pringgabaya = good_rows()
    rows = [
        first.replace("Lalu Ahmad;", "Lalu Ahmad Zaini;"),  # an update: name, occupation, phone
        second,  # new, and like Baiq Sainah
        pringgabaya,  # outside the operator's kecamatan: rejected
        f"4;{NIK_1[:-1]}9;;L;28-05-1980;Pancor;Selong;Petani;;",  # no name: rejected
    ]
    upload = tmp_path / "daftar-selong.csv"
    upload.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")

    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.click("nav.nav >> text=Impor")
    form = page.locator("[data-testid=import-upload]")
    form.locator("input[name=file]").set_input_files(str(upload))
    form.locator("input[name=source]").fill("Pendataan Desa 2026")
    form.locator("button[type=submit]").click()

    page.wait_for_selector("[data-status=ready]")
    codes = page.locator("[data-testid=import-codes]")
    assert "Galat: baris ini tidak disimpan" in codes.inner_text()
    assert "Peringatan" in codes.inner_text()
    missing = page.locator("[data-testid=code-NAME_MISSING]").inner_text()
    assert "Nama kosong" in missing or "nama" in missing.lower()
    changes = page.locator("[data-testid=import-changes]").inner_text()
    assert "Lalu Ahmad Zaini" in changes and "kosong" in changes
    screenshot(page, "import-preview-explained")

    page.click("[data-testid=code-NAME_MISSING] >> [data-testid=code-rows]")
    assert "NAME_MISSING" in page.locator("[data-testid=import-problems]").inner_text()
    assert "WILAYAH_OUTSIDE_SCOPE" not in page.locator("[data-testid=import-problems]").inner_text()

    page.click("[data-testid=import-commit]")
    page.wait_for_selector("[data-status=committed]")
    assert Worker.objects.get(nik=NIK_1).name == "Lalu Ahmad Zaini"
    screenshot(page, "import-committed-duplicates")

    page.click("[data-testid=duplicate-review]")
    page.wait_for_selector("[data-testid=duplicate-compare]")
    # Keep the registered record: the confirmation says what happens, nothing is merged yet.
    keep = 1 if PossibleDuplicate.objects.get().worker_id == sainah.pk else 2
    page.click(f"[data-testid=keep-{keep}]")
    page.wait_for_selector("[data-testid=merge-confirm]")
    assert "Baiq Sainah" in page.locator("[data-testid=merge-summary]").inner_text()
    assert "Pendataan Desa 2026" in page.locator("[data-testid=merge-consequences]").inner_text()
    screenshot(page, "duplicate-merge-confirmation")
    assert PossibleDuplicate.objects.get().status == DuplicateStatus.OPEN

    page.click("[data-testid=merge-confirm]")
    page.wait_for_url(f"**/pekerja/{sainah.pk}/")
    assert Worker.objects.get(nik=NIK_2).merged_into_id == sainah.pk
    assert PossibleDuplicate.objects.get().status == DuplicateStatus.MERGED
    screenshot(page, "duplicate-merged")
