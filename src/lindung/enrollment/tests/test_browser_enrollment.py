"""An administrator enrols an approved list: makes a registration batch on the overview,
downloads its file, uploads the (synthetic) branch's answer, reads the preview with its problem
row, saves it, and finds the KPJ on a registered worker's page. The BPJS officer and pimpinan
then see what their roles see."""

from pathlib import Path
from typing import Any

import pytest

from lindung.accounts.models import User
from lindung.accounts.tests.factories import PASSWORD, UserFactory, admin
from lindung.enrollment.models import (
    Answer,
    AnswerStatus,
    Participation,
    RegistrationBatch,
    State,
    Wadah,
    WadahType,
)
from lindung.enrollment.synth import fake_answer
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
from lindung.targeting.tests.test_scenarios import YEAR_COST
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WORKERS = 24  # the synthetic branch types one NIK wrong from 20 rows on: a problem row
SEED = 7


def _log_in(page: Any, live_server: Any, user: User) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")


def test_an_admin_enrols_the_list_and_the_worker_page_shows_the_kpj(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    home = {"address": "Dusun Lauk Rurung", "birth_place": "Selong"}
    for n in range(WORKERS):
        WorkerFactory(desil=1 + n % 4, desa_id="52.03.08.2001" if n % 3 else "52.03.07.1001",
                      **home)  # fmt: skip
    scenario = run_scenario(by="test", fiscal_year=2027,
                            budgets={"apbd": WORKERS * YEAR_COST, "dbhcht": 0})  # fmt: skip
    user = admin(username="admin.dinas")
    approve(by=user, scenario=scenario, decree="188.45/7/2027")
    Wadah.objects.create(code="SG-APBD", name="Pekerja Rentan APBD", source="apbd",
                         type_code=WadahType.SG, npw="NPW1234567", branch="KC Selong")  # fmt: skip

    # The overview: the list in force, its candidates, the form with its defaults.
    _log_in(page, live_server, user)
    page.goto(live_server.url + "/kepesertaan/")
    counts = page.locator("[data-testid=count-row]")
    assert counts.count() == 1 and str(WORKERS) in counts.inner_text()
    form = page.locator("[data-testid=batch-new]")
    assert form.locator("input[name=start]").input_value() == "2027-01"
    screenshot(page, "enrollment-overview")

    form.locator("select[name=wadah]").select_option(label="SG-APBD — Pekerja Rentan APBD")
    form.locator("[data-testid=batch-make]").click()
    page.wait_for_url("**/kepesertaan/batch/*/")  # the job ran, then its result opened
    batch = RegistrationBatch.objects.get()
    assert batch.workers == WORKERS
    assert page.locator("[data-testid=batch-workers]").inner_text() == str(WORKERS)
    screenshot(page, "enrollment-batch")

    with page.expect_download() as info:
        page.click("[data-testid=batch-xlsx]")
    assert info.value.suggested_filename == f"pendaftaran-sg-apbd-2027-01-batch-{batch.pk}.xlsx"
    sent = tmp_path / "pendaftaran.xlsx"
    info.value.save_as(sent)
    answer_file = tmp_path / "jawaban-kc-selong.xlsx"
    outcome = fake_answer(sent, answer_file, seed=SEED)
    assert outcome["typo"] == 1 and outcome["registered"] >= 1

    upload = page.locator("[data-testid=answer-upload]")
    upload.locator("input[name=file]").set_input_files(str(answer_file))
    upload.locator("[data-testid=answer-submit]").click()
    page.wait_for_selector("[data-testid=answer-status][data-status=checked]")
    problems = page.locator("[data-testid=problem-row]")
    assert problems.count() >= 1 and "NIK_NOT_IN_BATCH" in problems.first.inner_text()
    assert page.locator("[data-testid=code-NIK_NOT_IN_BATCH]").count() == 1
    screenshot(page, "enrollment-answer-preview")

    page.click("[data-testid=answer-commit]")
    page.wait_for_selector("[data-testid=answer-status][data-status=committed]")
    assert Answer.objects.get().status == AnswerStatus.COMMITTED
    registered = Participation.objects.filter(state=State.TERDAFTAR)
    assert registered.count() == outcome["registered"]
    screenshot(page, "enrollment-answer-saved")

    participation = registered.order_by("pk").first()
    assert participation is not None
    page.goto(live_server.url + f"/pekerja/{participation.worker_id}/")
    kpj = page.locator("[data-testid=worker-kpj]")
    assert kpj.inner_text() == participation.kpj and len(participation.kpj) == 11
    kpj.scroll_into_view_if_needed()
    screenshot(page, "enrollment-worker-kpj")

    # The BPJS officer: the batches, the download and the upload; no batch to make.
    _log_in(page, live_server, UserFactory(role=Role.BPJS, username="petugas.bpjs"))
    page.goto(live_server.url + "/kepesertaan/")
    assert page.locator("[data-testid=batch-new]").count() == 0
    page.click("[data-testid=batch-link]")
    page.wait_for_selector("[data-testid=batch-facts]")
    assert page.locator("[data-testid=batch-xlsx]").count() == 1
    assert page.locator("[data-testid=answer-upload]").count() == 1
    assert page.locator("[data-testid=batch-cancel]").count() == 0
    screenshot(page, "enrollment-batch-bpjs")

    # Pimpinan: the counts, no batch, no names.
    _log_in(page, live_server, UserFactory(role=Role.PIMPINAN, username="pimpinan"))
    page.goto(live_server.url + "/kepesertaan/")
    assert page.locator("[data-testid=enrollment-counts]").count() == 1
    assert page.locator("[data-testid=batch-link]").count() == 0
    assert page.locator("[data-testid=batch-new]").count() == 0
    assert participation.name not in page.content()
    screenshot(page, "enrollment-overview-pimpinan")
