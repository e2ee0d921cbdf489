"""An administrator bills the registered participants and records the payment typed as people
type money; the dashboard's protected count rises; a worker checks their protection on the
public page, and an unknown NIK gets an answer that gives nothing away."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lindung.accounts.models import User
from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.billing.models import Bill, BillState, PaidPeriod
from lindung.dashboard.aggregates import refresh
from lindung.enrollment.models import Participation, State, Wadah, WadahType
from lindung.formats import format_number
from lindung.registry.tests.factories import WorkerFactory
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WORKERS = 6
YEAR_COST = 12 * 16_800


def _log_in(page: Any, live_server: Any, user: User) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")


def _protected(page: Any, live_server: Any, year: int) -> str:
    page.goto(f"{live_server.url}/dasbor/?tahun={year}")
    return str(page.locator("[data-testid=ind-protected]").inner_text()).strip()


def test_bill_pay_and_the_protected_count_rises_then_the_public_check_answers(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    year = timezone.localdate().year  # this year: protection counted today
    workers = [
        WorkerFactory(desil=1 + n % 4, desa_id="52.03.07.1001", birth_place="Selong")
        for n in range(WORKERS)
    ]
    scenario = run_scenario(by="test", fiscal_year=year,
                            budgets={"apbd": WORKERS * YEAR_COST, "dbhcht": 0})  # fmt: skip
    user = admin(username="admin.dinas")
    approve(by=user, scenario=scenario, decree=f"188.45/7/{year}")
    wadah = Wadah.objects.create(code="SG-APBD", name="Pekerja Rentan APBD", source="apbd",
                                 type_code=WadahType.SG, npw="NPW1234567")  # fmt: skip
    start = datetime.date(year, 7, 1)  # registered by the branch from July
    for n, p in enumerate(Participation.objects.filter(fiscal_year=year), 1):
        p.state, p.kpj, p.effective_from, p.wadah = State.TERDAFTAR, f"2600000{n:04d}", start, wadah
        p.save()
    refresh()
    _log_in(page, live_server, user)
    before = _protected(page, live_server, year)
    assert before == "0"

    # Bills: the year's second half, made by a background job from the bill list.
    page.goto(live_server.url + "/tagihan/")
    form = page.locator("[data-testid=bill-make]")
    form.locator("input[name=fiscal_year]").fill(str(year))
    form.locator("input[name=period]").fill(f"{year}-07..{year}-12")
    form.locator("[data-testid=bill-make-submit]").click()
    page.wait_for_selector("[data-testid=bills-made]")
    bill = Bill.objects.get()
    assert (bill.participants, bill.months) == (WORKERS, 6)
    screenshot(page, "billing-bills")

    # Paid in full, the amount typed with thousands dots, with a receipt.
    page.click("[data-testid=bill-link]")
    pay = page.locator("[data-testid=action-pay]")
    pay.locator("input[name=amount]").fill(format_number(bill.amount))  # "201.600"
    pay.locator("input[name=paid_on]").fill(timezone.localdate().isoformat())
    pay.locator("input[name=reference]").fill("BNTB 0012345")
    receipt = tmp_path / "bukti.pdf"
    receipt.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    pay.locator("input[name=receipt]").set_input_files(str(receipt))
    pay.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=payment-row]")
    bill.refresh_from_db()
    assert (bill.state, bill.paid) == (BillState.DIBAYAR, bill.amount)
    assert PaidPeriod.objects.count() == WORKERS
    assert page.locator("[data-testid=receipt-link]").count() == 1
    screenshot(page, "billing-paid")

    # The dashboard counts them protected once its rebuild (queued by the payment) ran.
    refresh()
    assert _protected(page, live_server, year) == str(WORKERS)
    screenshot(page, "billing-dashboard")

    # The public check, no login: a protected worker and an unknown NIK.
    page.context.clear_cookies()
    page.goto(live_server.url + "/akun/masuk/")
    page.click("[data-testid=login-cek] a")
    page.wait_for_url("**/cek/")
    protected = workers[0]
    page.fill("input[name=nik]", protected.nik)
    page.fill("input[name=birth_date]", protected.birth_date.isoformat())
    page.click("[data-testid=cek-submit]")
    answer = page.locator("[data-testid=cek-result]").inner_text()
    assert page.locator("[data-testid=cek-protected]").count() == 1
    assert f"31 Desember {year}" in answer
    assert protected.name not in page.content() and protected.nik not in page.content()
    assert page.locator("input[name=nik]").input_value() == ""
    screenshot(page, "billing-cek-protected")

    page.fill("input[name=nik]", "5203" + "0" * 11 + "9")
    page.fill("input[name=birth_date]", "1980-05-28")
    page.click("[data-testid=cek-submit]")
    assert page.locator("[data-testid=cek-none]").count() == 1
    assert page.locator("[data-testid=cek-protected]").count() == 0
    assert "5203" not in page.locator("main").inner_text()
    screenshot(page, "billing-cek-unknown")
