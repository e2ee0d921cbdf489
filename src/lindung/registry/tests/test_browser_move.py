"""Two desa operators, as they would click it: one uploads a list with a worker registered in the
other's desa, sees the row refused without learning where the worker lives, and saves; the other
finds the move request and accepts it."""

import datetime
from pathlib import Path
from typing import Any

import pytest

from lindung.accounts.tests.factories import PASSWORD, operator_desa
from lindung.registry import imports
from lindung.registry.models import ImportBatch, MoveRequest, MoveState, Worker
from lindung.registry.tests.factories import WorkerFactory, nik_for
from lindung.registry.tests.test_import import HEADER
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PANCOR = "52.03.07.1001"
BAGIK_PAPAN = "52.03.08.2001"


def _log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def test_a_move_is_asked_by_one_desa_and_accepted_by_the_other(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.VAR_DIR = tmp_path
    born = datetime.date(1979, 3, 14)
    nik = nik_for("52.03.08", born, "P", 77)
    worker = WorkerFactory(desa_id=BAGIK_PAPAN, nik=nik, name="Inaq Sumarni", birth_date=born)
    asking = operator_desa(PANCOR, username="op.pancor")
    deciding = operator_desa(BAGIK_PAPAN, username="op.bagikpapan")
    upload = tmp_path / "daftar-pancor.csv"
    row = f"1;{nik};Nama Palsu;P;14-03-1979;Pancor;Selong;Petani;1.500.000;081233334444"
    upload.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")

    _log_in(page, live_server, asking.username)
    page.goto(live_server.url + "/pekerja/impor/")
    form = page.locator("[data-testid=import-upload]")
    form.locator("input[name=file]").set_input_files(str(upload))
    form.locator("input[name=source]").fill("Pendataan desa 2026")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=import-progress]")
    batch = ImportBatch.objects.get()
    imports.run_check(str(batch.pk))
    page.wait_for_selector("[data-status=ready]")
    problems = page.locator("[data-testid=import-problems]").inner_text()
    assert "NIK_OUTSIDE_SCOPE" in problems
    body = page.locator("main").inner_text()
    assert "Inaq Sumarni" not in body and "Bagik Papan" not in body  # nothing of the worker
    screenshot(page, "move-import-preview")
    page.click("[data-testid=import-commit]")
    page.wait_for_selector("[data-status=committing]")
    imports.run_commit(str(batch.pk), asking.pk)
    page.wait_for_selector("[data-status=committed]")
    worker.refresh_from_db()
    assert (worker.desa_id, worker.name) == (BAGIK_PAPAN, "Inaq Sumarni")

    page.goto(live_server.url + "/pekerja/")
    page.click("a[href='/pekerja/pindah/']")
    own = page.locator("[data-testid=own-move-row]")
    assert own.count() == 1 and "Inaq Sumarni" not in own.inner_text()
    screenshot(page, "move-requested")
    page.context.clear_cookies()  # the other operator, on the same computer

    _log_in(page, live_server, deciding.username)
    page.goto(live_server.url + "/pekerja/pindah/")
    request = page.locator("[data-testid=move-row]")
    assert request.count() == 1 and "Inaq Sumarni" in request.inner_text()
    screenshot(page, "move-to-decide")
    request.locator("input[name=note]").fill("Sudah pindah domisili, dicek kadus")
    request.locator("[data-testid=move-accept]").click()
    page.wait_for_selector("text=Tidak ada permintaan pindah")
    screenshot(page, "move-accepted")

    worker.refresh_from_db()
    assert worker.desa_id == PANCOR and worker.phone == "081233334444"
    assert MoveRequest.objects.get().state == MoveState.ACCEPTED
    assert Worker.objects.count() == 1
