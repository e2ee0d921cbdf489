"""A village operator reports a death from the worker's page; the ledger says the worker was
protected; the claim is opened, its file completed with the heirs and submitted; the branch's
officer records the payment typed as people type money; the impact page and the Bupati's PDF
show the family reached."""

import datetime
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lindung.accounts.models import User
from lindung.accounts.tests.factories import PASSWORD, admin, operator_desa, user_with_role
from lindung.billing import services as billing
from lindung.billing.models import Bill
from lindung.claims.models import Claim, ClaimState
from lindung.enrollment.models import Participation, State, Wadah, WadahType
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WORKERS = 4
YEAR_COST = 12 * 16_800
DESA = "52.03.07.1001"


def _log_in(page: Any, live_server: Any, user: User) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")


def _a_paid_year(year: int) -> list[Participation]:
    """Four workers of the desa on this year's list, registered from January, the year's bill
    paid."""
    for n in range(WORKERS):
        WorkerFactory(desil=1 + n % 3, desa_id=DESA, birth_place="Selong", address="Dusun Lauk")
    scenario = run_scenario(by="test", fiscal_year=year,
                            budgets={"apbd": WORKERS * YEAR_COST, "dbhcht": 0})  # fmt: skip
    approve(by="test", scenario=scenario, decree=f"188.45/9/{year}")
    wadah = Wadah.objects.create(code="SG-APBD", name="Pekerja Rentan APBD", source="apbd",
                                 type_code=WadahType.SG, npw="NPW1234567")  # fmt: skip
    start = datetime.date(year, 1, 1)
    parts = list(Participation.objects.filter(fiscal_year=year).order_by("pk"))
    for n, p in enumerate(parts, 1):
        p.state, p.kpj, p.effective_from, p.wadah = State.TERDAFTAR, f"2600000{n:04d}", start, wadah
        p.save()
    billing.make_bills(
        by="test", fiscal_year=year, period=billing.parse_period(f"{year}-01..{year}-12", year)
    )
    bill = Bill.objects.get()
    today = timezone.localdate()
    billing.issue_bill(by="test", bill=bill, bpjs_number="TAG/1", billed_on=today)
    billing.record_sp2d(by="test", bill=bill, number="SP2D/1", date=today)
    billing.pay(by="test", bill=bill, amount=bill.amount, paid_on=today)
    return parts


def test_a_reported_death_is_claimed_paid_and_shown_in_the_impact(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    today = timezone.localdate()
    year = today.year
    died = max(datetime.date(year, 1, 1), today - datetime.timedelta(days=3))
    parts = _a_paid_year(year)
    worker_id = parts[0].worker_id

    # The village operator reports the death from the worker's page.
    clerk = operator_desa(DESA, username="operator.desa")
    _log_in(page, live_server, clerk)
    page.goto(f"{live_server.url}/pekerja/{worker_id}/")
    page.click("[data-testid=report-event]")
    form = page.locator("[data-testid=report-form]")
    form.locator("input[name=kind][value=death]").check()
    form.locator("input[name=occurred_on]").fill(died.isoformat())
    form.locator("input[name=place]").fill("Rumah, Dusun Lauk")
    form.locator("input[name=cause][value=not_work]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=verdict][data-verdict=protected]")
    assert "31 Desember" in page.locator("[data-testid=verdict-reason]").inner_text()
    screenshot(page, "claims-event-protected")

    # The claim: JKM, the documents ticked, the heirs named, the file complete, submitted.
    page.locator("[data-testid=open-claim] button[type=submit]").click()
    page.wait_for_selector("[data-testid=expected-amount]")
    assert page.locator("[data-testid=expected-amount]").inner_text() == "Rp42.000.000"
    for box in page.locator("[data-testid=file-form] input[name=documents]").all():
        box.check()
    page.locator("[data-testid=file-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=missing-none]")
    heirs = page.locator("[data-testid=heirs-form]")
    heirs.locator("select[name=ahli-0-relation]").select_option("spouse")
    heirs.locator("input[name=ahli-0-name]").fill("Inaq Sumiati")
    heirs.locator("select[name=ahli-1-relation]").select_option("child")
    heirs.locator("input[name=ahli-1-name]").fill("Lalu Hamdan")
    heirs.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=heir-row]:has-text('Inaq Sumiati')")
    page.locator("[data-testid=action-complete] button").click()
    page.wait_for_selector("[data-testid=action-submit]")
    page.locator("[data-testid=action-submit] button[type=submit]").click()
    page.wait_for_selector("[data-testid=claim-state][data-state=DIAJUKAN]")
    screenshot(page, "claims-submitted")

    # The branch's officer records the payment, typed with thousands dots.
    _log_in(page, live_server, user_with_role(Role.BPJS, username="petugas.bpjs"))
    claim = Claim.objects.get()
    page.goto(f"{live_server.url}/klaim/{claim.pk}/")
    paid = page.locator("[data-testid=action-paid]")
    paid.locator("input[name=paid_on]").fill(today.isoformat())
    paid.locator("input[name=amount]").fill("42.000.000")
    paid.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=claim-state][data-state=DIBAYAR]")
    claim.refresh_from_db()
    assert (claim.state, claim.paid_amount) == (ClaimState.DIBAYAR, 42_000_000)
    screenshot(page, "claims-paid")

    # The impact page and its one-page PDF for the Bupati (the Dinas prints it).
    _log_in(page, live_server, admin(username="admin.dinas"))
    page.goto(f"{live_server.url}/klaim/dampak/?tahun={year}")
    page.wait_for_selector("[data-testid=impact-cards]")
    cards = page.locator("[data-testid=impact-card]").all_inner_texts()
    assert "Rp42.000.000" in [c.strip() for c in cards]
    screenshot(page, "claims-impact")
    with page.expect_download() as download_info:
        page.click("[data-testid=impact-pdf]")
    pdf = tmp_path / "dampak.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "42.000.000" in text
    page.goto(f"{live_server.url}/klaim/")
    page.wait_for_selector(f"[data-testid=claim-row][data-number='{claim.number}']")

    # The leaders see the impact, not the person: one family is a small cell.
    _log_in(page, live_server, user_with_role(Role.PIMPINAN, username="bupati"))
    page.goto(f"{live_server.url}/klaim/dampak/?tahun={year}")
    page.wait_for_selector("[data-testid=impact-cards]")
    assert "Inaq Sumiati" not in page.content()
    screenshot(page, "claims-impact-pimpinan")
