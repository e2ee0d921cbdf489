"""The bill pages: the list with its alerts and making bills, a bill's page, each action on it
by POST (its effect and audit event), bad payments, receipts, and who may open them."""

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, operator_desa
from lindung.audit.models import Event
from lindung.billing import services
from lindung.billing.background import MAKE_BILLS_KIND
from lindung.billing.models import Bill, BillState, PaidPeriod, Payment, Refund
from lindung.enrollment.models import EndReason, Participation
from lindung.enrollment.services import end_participation
from lindung.jobs.kinds import register as register_job
from lindung.roles import Role
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db

BILL_DAY = datetime.datetime(2027, 1, 5, 9, 0, tzinfo=datetime.UTC)
LATER = datetime.datetime(2027, 2, 10, 9, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _long_sessions(settings: Any) -> None:
    """Logins made today still hold in the days of 2027 the tests travel to."""
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600


@pytest.fixture(autouse=True)
def _make_bills_kind() -> None:
    """The job kind BillingConfig.ready() registers."""
    register_job(MAKE_BILLS_KIND)


@pytest.fixture
def boss() -> Client:
    return _client(admin())


@pytest.fixture
def bills(registered: list[Participation]) -> list[Bill]:
    """The four bills of 2027 (APBD and DBHCHT, January to June and July to December)."""
    with time_machine.travel(BILL_DAY, tick=False):
        return services.make_bills(by="test", fiscal_year=2027)


@pytest.fixture
def apbd(bills: list[Bill]) -> Bill:
    return next(b for b in bills if b.source == "apbd" and b.period_start.month == 1)


def _events(action: str) -> int:
    return Event.objects.filter(action=action).count()


def _receipt(name: str = "bukti transfer.pdf", content: bytes = PDF) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


# --- the list ----------------------------------------------------------------------------------
@time_machine.travel(LATER, tick=False)
def test_the_list_shows_the_years_bills_with_totals(bills: list[Bill], boss: Client) -> None:
    response = boss.get("/tagihan/?tahun=2027")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="bill-row"') == 4
    assert "January–June 2027" in html and "July–December 2027" in html
    assert "SG-APBD" in html and "SG-DBHCHT" in html
    total = sum(b.amount for b in bills)
    assert f"Rp{total:,}".replace(",", ".") in html
    assert response.context["totals"]["participants"] == 10


@time_machine.travel(LATER, tick=False)
def test_it_filters_by_source_and_state(bills: list[Bill], boss: Client) -> None:
    html = boss.get("/tagihan/?tahun=2027&sumber=dbhcht").content.decode()
    assert html.count('data-testid="bill-row"') == 2
    assert "SG-APBD" not in html.split('data-testid="bill-table"')[1]

    html = boss.get("/tagihan/?tahun=2027&status=DIBAYAR").content.decode()
    assert html.count('data-testid="bill-row"') == 0


@time_machine.travel(LATER, tick=False)
def test_the_alerts_name_the_bills_past_due_and_the_workers_in_grace(
    apbd: Bill, boss: Client
) -> None:
    services.set_funds_delayed(by="test", bill=apbd, delayed=True, reason="APBD-P belum disahkan")

    html = boss.get("/tagihan/").content.decode()

    alerts = html.split('data-testid="billing-alerts"')[1].split("</section>")[0]
    assert "Bills past due" in alerts  # the DBHCHT bill of January was due on 15 January
    dbhcht = Bill.objects.get(source="dbhcht", period_start=datetime.date(2027, 1, 1))
    assert dbhcht.number in alerts and apbd.number in alerts
    assert "APBD-P belum disahkan" in alerts
    assert "5 participants are in grace" in alerts
    assert "funds late" in html


@time_machine.travel(datetime.datetime(2027, 6, 10, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_the_alerts_show_coverage_ending_within_30_days(apbd: Bill, boss: Client) -> None:
    services.pay(by="test", bill=apbd, amount=apbd.amount, paid_on=datetime.date(2027, 1, 20))

    html = boss.get("/tagihan/").content.decode()

    expiring = html.split('data-testid="alerts-expiring"')[1].split("</ul>")[0]
    assert "SG-APBD: 3 participants protected until 30 June 2027" in expiring


def test_bill_officers_open_the_list(bills: list[Bill]) -> None:
    for user in (UserFactory(role=Role.BPJS), UserFactory(role=Role.OPERATOR_KABUPATEN)):
        response = _client(user).get("/tagihan/?tahun=2027")
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="bill-row"') == 4


@pytest.mark.parametrize("role", [Role.PIMPINAN, Role.OPERATOR_DESA, Role.AUDITOR])
def test_roles_without_bill_get_403_on_every_bill_page(apbd: Bill, role: str) -> None:
    user = operator_desa() if role == Role.OPERATOR_DESA else UserFactory(role=role)
    client = _client(user)
    for path in ("/tagihan/", f"/tagihan/{apbd.pk}/"):
        assert client.get(path).status_code == 403
    assert client.post(f"/tagihan/{apbd.pk}/batalkan/").status_code == 403
    assert Bill.objects.get(pk=apbd.pk).state == BillState.RENCANA


def test_an_officer_bound_to_an_area_sees_no_bill(apbd: Bill) -> None:
    client = _client(UserFactory(role=Role.BPJS, region_id="52.03.07"))

    assert client.get(f"/tagihan/{apbd.pk}/").status_code == 404
    assert client.post(f"/tagihan/{apbd.pk}/batalkan/").status_code == 404
    assert 'data-testid="bill-row"' not in client.get("/tagihan/").content.decode()
    assert Bill.objects.get(pk=apbd.pk).state == BillState.RENCANA


# --- making bills --------------------------------------------------------------------------------
@time_machine.travel(BILL_DAY, tick=False)
def test_making_bills_runs_as_a_job_and_lists_what_it_made(
    registered: list[Participation], boss: Client
) -> None:
    response = boss.post("/tagihan/buat/", {"fiscal_year": "2027", "source": "apbd"}, follow=True)

    assert response.status_code == 200
    made = response.context["made"]["bills"]
    assert [(b.source, label) for b, label in made] == [
        ("apbd", "January–June 2027"),
        ("apbd", "July–December 2027"),
    ]
    assert 'data-testid="bills-made"' in response.content.decode()
    assert _events("bills_made") == 1

    again = boss.post("/tagihan/buat/", {"fiscal_year": "2027", "source": "apbd"}, follow=True)
    assert 'data-testid="nothing-made"' in again.content.decode()
    assert Bill.objects.count() == 2


@time_machine.travel(BILL_DAY, tick=False)
def test_making_bills_for_a_period(registered: list[Participation], boss: Client) -> None:
    response = boss.post(
        "/tagihan/buat/", {"fiscal_year": "2027", "period": "2027-01..2027-03"}, follow=True
    )
    assert response.status_code == 200
    assert {(b.period_start.month, b.months) for b in Bill.objects.all()} == {(1, 3)}


@time_machine.travel(BILL_DAY, tick=False)
def test_a_bad_period_is_refused_on_the_form(registered: list[Participation], boss: Client) -> None:
    response = boss.post("/tagihan/buat/", {"fiscal_year": "2027", "period": "2027-01..2027-05"})

    assert response.status_code == 400
    assert "A bill covers 1, 3, 6 or 12 months, not 5." in response.content.decode()
    assert not Bill.objects.exists()


# --- a bill's page -------------------------------------------------------------------------------
@time_machine.travel(LATER, tick=False)
def test_the_bill_page_shows_months_payments_and_participants(apbd: Bill, boss: Client) -> None:
    services.pay(by="test", bill=apbd, amount=apbd.amount // 3, paid_on=datetime.date(2027, 1, 20))

    response = boss.get(f"/tagihan/{apbd.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert apbd.number in html and "January–June 2027" in html
    months = response.context["months"]
    assert [m["paid"] for m in months] == [True, True, False, False, False, False]
    assert {m["participants"] for m in months} == {3}
    assert html.count('data-testid="payment-row"') == 1
    assert html.count('data-testid="participant-row"') == 3
    assert html.count('data-status="protected"') == 3
    for participation in Participation.objects.filter(source="apbd"):
        assert participation.name in html


@time_machine.travel(LATER, tick=False)
def test_only_the_actions_the_state_allows_are_shown(apbd: Bill, boss: Client) -> None:
    planned = boss.get(f"/tagihan/{apbd.pk}/").context["actions"]
    assert set(planned) == {"issue", "sp2d", "pay", "delay", "cancel"}

    services.pay(by="test", bill=apbd, amount=apbd.amount, paid_on=datetime.date(2027, 2, 1))
    paid = boss.get(f"/tagihan/{apbd.pk}/")
    assert set(paid.context["actions"]) == {"reconcile"}
    assert 'data-testid="action-pay"' not in paid.content.decode()


# --- each action ---------------------------------------------------------------------------------
@time_machine.travel(LATER, tick=False)
def test_issuing_records_the_bpjs_bill(apbd: Bill, boss: Client) -> None:
    response = boss.post(
        f"/tagihan/{apbd.pk}/terbitkan/",
        {
            "bpjs_number": "TAG/0127/001",
            "assessment_code": "AS-77",
            "billed_on": "2027-02-01",
            "due_date": "2027-02-28",
        },
    )

    assert response.status_code == 302
    apbd.refresh_from_db()
    assert (apbd.state, apbd.bpjs_number, apbd.assessment_code) == (
        BillState.DITAGIH,
        "TAG/0127/001",
        "AS-77",
    )
    assert (apbd.billed_on, apbd.due_date) == (
        datetime.date(2027, 2, 1),
        datetime.date(2027, 2, 28),
    )
    assert _events("bill_issued") == 1


@time_machine.travel(LATER, tick=False)
def test_a_due_date_before_the_billing_date_is_refused(apbd: Bill, boss: Client) -> None:
    response = boss.post(
        f"/tagihan/{apbd.pk}/terbitkan/",
        {"bpjs_number": "TAG/1", "billed_on": "2027-02-01", "due_date": "2027-01-20"},
    )

    assert response.status_code == 400
    assert "The due date cannot come before the billing date." in response.content.decode()
    assert Bill.objects.get(pk=apbd.pk).state == BillState.RENCANA
    assert _events("bill_issued") == 0


@time_machine.travel(LATER, tick=False)
def test_recording_the_sp2d(apbd: Bill, boss: Client) -> None:
    response = boss.post(
        f"/tagihan/{apbd.pk}/sp2d/", {"number": "900/123/BUD/2027", "date": "2027-02-03"}
    )

    assert response.status_code == 302
    apbd.refresh_from_db()
    assert (apbd.state, apbd.sp2d_number, apbd.sp2d_date) == (
        BillState.SP2D,
        "900/123/BUD/2027",
        datetime.date(2027, 2, 3),
    )
    assert _events("bill_sp2d") == 1


@time_machine.travel(LATER, tick=False)
def test_paying_with_a_receipt_covers_the_months_and_keeps_the_file(
    apbd: Bill, boss: Client
) -> None:
    response = boss.post(
        f"/tagihan/{apbd.pk}/bayar/",
        {
            "amount": f"{apbd.amount:,}".replace(",", "."),
            "paid_on": "2027-02-05",
            "sp2d": "900/124/BUD/2027",
            "reference": "BNTB-0001",
            "receipt": _receipt("../../bukti transfer.pdf"),
        },
    )

    assert response.status_code == 302
    apbd.refresh_from_db()
    assert (apbd.state, apbd.paid) == (BillState.DIBAYAR, apbd.amount)
    payment = Payment.objects.get(bill=apbd)
    assert payment.reference == "BNTB-0001"
    assert payment.receipt.startswith(f"billing/receipts/{apbd.pk}/")
    assert payment.receipt_name == "bukti_transfer.pdf"
    assert (Path(settings.VAR_DIR) / payment.receipt).read_bytes() == PDF
    assert PaidPeriod.objects.filter(bill=apbd).count() == 3
    assert _events("bill_paid") == 1

    download = boss.get(f"/tagihan/pembayaran/{payment.pk}/bukti/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "bukti_transfer.pdf" in download["Content-Disposition"]
    assert download["Content-Type"] == "application/pdf"


@time_machine.travel(LATER, tick=False)
def test_a_receipt_is_scoped_to_those_who_see_its_bill(apbd: Bill, boss: Client) -> None:
    boss.post(
        f"/tagihan/{apbd.pk}/bayar/",
        {"amount": "1.000", "paid_on": "2027-02-05", "receipt": _receipt()},
    )
    payment = Payment.objects.get(bill=apbd)

    area_officer = _client(UserFactory(role=Role.BPJS, region_id="52.03.07"))
    assert area_officer.get(f"/tagihan/pembayaran/{payment.pk}/bukti/").status_code == 404
    assert (
        _client(operator_desa()).get(f"/tagihan/pembayaran/{payment.pk}/bukti/").status_code == 403
    )
    assert boss.get(f"/tagihan/pembayaran/{payment.pk + 1}/bukti/").status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_receipt("bukti.txt", b"hello"), "Upload the receipt as a PDF, JPG or PNG file."),
        (_receipt("bukti.png", PDF), "The receipt is not a readable PNG file."),
        (_receipt("bukti.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024)), "larger than 5 MB"),
    ],
)
@time_machine.travel(LATER, tick=False)
def test_a_bad_receipt_is_refused_and_nothing_is_paid(
    apbd: Bill, boss: Client, upload: io.BytesIO, message: str
) -> None:
    upload.seek(0)
    response = boss.post(
        f"/tagihan/{apbd.pk}/bayar/",
        {"amount": "1.000", "paid_on": "2027-02-05", "receipt": upload},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Payment.objects.exists()
    assert not (Path(settings.VAR_DIR) / "billing" / "receipts").exists()


@pytest.mark.parametrize(
    ("amount", "day", "message"),
    [
        ("-5.000", "2027-02-05", "The amount cannot be negative."),
        ("0", "2027-02-05", "The amount paid must be more than Rp0."),
        ("999.999.999", "2027-02-05", "is more than that"),
        ("1.000", "2026-12-31", "comes before bill"),
        ("1.000", "2027-03-01", "lies in the future"),
    ],
)
@time_machine.travel(LATER, tick=False)
def test_bad_payments_show_the_message_and_change_nothing(
    apbd: Bill, boss: Client, amount: str, day: str, message: str
) -> None:
    response = boss.post(
        f"/tagihan/{apbd.pk}/bayar/",
        {"amount": amount, "paid_on": day, "receipt": _receipt()},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    apbd.refresh_from_db()
    assert (apbd.state, apbd.paid) == (BillState.RENCANA, 0)
    assert not Payment.objects.exists()
    assert not PaidPeriod.objects.exists()
    assert _events("bill_paid") == 0
    receipts = Path(settings.VAR_DIR) / "billing" / "receipts"
    assert not receipts.exists() or not any(receipts.rglob("*.pdf"))


@time_machine.travel(LATER, tick=False)
def test_a_payment_on_an_unknown_bill_is_a_404(apbd: Bill, boss: Client) -> None:
    response = boss.post(
        f"/tagihan/{apbd.pk + 100}/bayar/", {"amount": "1.000", "paid_on": "2027-02-05"}
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()


@time_machine.travel(LATER, tick=False)
def test_a_bad_payment_is_explained_in_indonesian(apbd: Bill) -> None:
    client = Client()  # Indonesian, the default language
    client.force_login(admin())
    with translation.override("id"):
        zero = client.post(f"/tagihan/{apbd.pk}/bayar/", {"amount": "0", "paid_on": "2027-02-05"})
        too_much = client.post(
            f"/tagihan/{apbd.pk}/bayar/", {"amount": "999.999.999", "paid_on": "2027-02-05"}
        )

    assert zero.status_code == too_much.status_code == 400
    assert "Jumlah yang dibayar harus lebih dari Rp0." in zero.content.decode()
    assert f"Sisa tagihan {apbd.number}" in too_much.content.decode()
    assert not Payment.objects.exists()


@time_machine.travel(LATER, tick=False)
def test_marking_and_clearing_late_funds(apbd: Bill, boss: Client) -> None:
    refused = boss.post(f"/tagihan/{apbd.pk}/dana-terlambat/", {"delayed": "on", "reason": ""})
    assert refused.status_code == 400
    assert "Say why the funds are late" in refused.content.decode()
    assert not Bill.objects.get(pk=apbd.pk).funds_delayed

    marked = boss.post(
        f"/tagihan/{apbd.pk}/dana-terlambat/", {"delayed": "on", "reason": "APBD-P belum disahkan"}
    )
    assert marked.status_code == 302
    apbd.refresh_from_db()
    assert (apbd.funds_delayed, apbd.delay_reason) == (True, "APBD-P belum disahkan")

    boss.post(f"/tagihan/{apbd.pk}/dana-terlambat/", {"reason": ""})
    apbd.refresh_from_db()
    assert (apbd.funds_delayed, apbd.delay_reason) == (False, "")
    assert _events("bill_delay_set") == 2


@time_machine.travel(LATER, tick=False)
def test_cancelling_an_unpaid_bill(apbd: Bill, boss: Client) -> None:
    response = boss.post(f"/tagihan/{apbd.pk}/batalkan/", {"reason": "salah wadah"})

    assert response.status_code == 302
    apbd.refresh_from_db()
    assert (apbd.state, apbd.note) == (BillState.BATAL, "salah wadah")
    assert not apbd.lines.exists()
    assert _events("bill_cancelled") == 1


@time_machine.travel(LATER, tick=False)
def test_a_paid_bill_cannot_be_cancelled(apbd: Bill, boss: Client) -> None:
    services.pay(by="test", bill=apbd, amount=1000, paid_on=datetime.date(2027, 2, 1))

    response = boss.post(f"/tagihan/{apbd.pk}/batalkan/", {})

    assert response.status_code == 400
    assert "A bill with a payment cannot be cancelled." in response.content.decode()
    assert Bill.objects.get(pk=apbd.pk).state == BillState.SEBAGIAN


@time_machine.travel(LATER, tick=False)
def test_refunds_are_shown_claimed_and_received(apbd: Bill, boss: Client) -> None:
    services.pay(by="test", bill=apbd, amount=apbd.amount, paid_on=datetime.date(2027, 1, 20))
    died = Participation.objects.filter(source="apbd").order_by("pk").first()
    assert died is not None
    end_participation(
        by="test", participation=died, reason=EndReason.DIED, on=datetime.date(2027, 2, 10)
    )

    page = boss.get(f"/tagihan/{apbd.pk}/")
    assert "refunds" in page.context["actions"]
    assert [d["months"] for d in page.context["refunds_due"]] == [4]  # March to June

    claimed = boss.post(f"/tagihan/{apbd.pk}/pengembalian/", {})
    assert claimed.status_code == 302
    apbd.refresh_from_db()
    assert apbd.state == BillState.PENGEMBALIAN
    refund = Refund.objects.get(bill=apbd)
    assert (refund.participation_id, refund.months) == (died.pk, 4)
    assert _events("refund_claimed") == 1

    received = boss.post(
        f"/tagihan/pengembalian/{refund.pk}/terima/",
        {"received_on": "2027-02-10", "reference": "RF-1"},
    )
    assert received.status_code == 302
    refund.refresh_from_db()
    apbd.refresh_from_db()
    assert (refund.state, refund.reference) == ("DITERIMA", "RF-1")
    assert (apbd.state, apbd.refunded) == (BillState.DIBAYAR, refund.amount)
    assert _events("refund_received") == 1

    again = boss.post(f"/tagihan/pengembalian/{refund.pk}/terima/", {"received_on": "2027-02-10"})
    assert again.status_code == 400
    assert "This refund was received already." in again.content.decode()


@time_machine.travel(LATER, tick=False)
def test_reconciling_by_hand(apbd: Bill, boss: Client) -> None:
    services.pay(by="test", bill=apbd, amount=apbd.amount, paid_on=datetime.date(2027, 1, 20))

    differs = boss.post(
        f"/tagihan/{apbd.pk}/rekonsiliasi/", {"outcome": "selisih", "note": "BPJS: Rp16.800 kurang"}
    )
    assert differs.status_code == 302
    apbd.refresh_from_db()
    assert (apbd.state, apbd.note) == (BillState.SELISIH, "BPJS: Rp16.800 kurang")

    boss.post(f"/tagihan/{apbd.pk}/rekonsiliasi/", {"outcome": "cocok"})
    apbd.refresh_from_db()
    assert (apbd.state, apbd.reconciled_on) == (
        BillState.DIREKONSILIASI,
        datetime.date(2027, 2, 10),
    )
    assert _events("bill_reconciled") == 2


@time_machine.travel(LATER, tick=False)
def test_an_action_the_state_refuses_shows_why(apbd: Bill, boss: Client) -> None:
    response = boss.post(f"/tagihan/{apbd.pk}/rekonsiliasi/", {"outcome": "cocok"})

    assert response.status_code == 400
    assert "A bill that is Planned cannot become Reconciled." in response.content.decode()
    assert Bill.objects.get(pk=apbd.pk).state == BillState.RENCANA


def test_actions_take_post_only(apbd: Bill, boss: Client) -> None:
    assert boss.get(f"/tagihan/{apbd.pk}/bayar/").status_code == 405


# --- queries -------------------------------------------------------------------------------------
@time_machine.travel(LATER, tick=False)
def test_the_list_has_a_fixed_number_of_queries(
    bills: list[Bill], boss: Client, django_assert_num_queries: Any
) -> None:
    services.pay(by="test", bill=bills[0], amount=1000, paid_on=datetime.date(2027, 2, 1))
    assert boss.get("/tagihan/?tahun=2027").status_code == 200
    # session and user; the deployment and its codes three times (the user's scope, whether it
    # is the whole deployment, the active policy); the policy; the years; the bills; their
    # totals; the alerts (`alerts.summary`: the coverage state, its read of the ledger, the
    # bills past due)
    # The coverage groups are read with `bulk.read_frame`: a COPY on PostgreSQL, which Django's
    # query counter does not see.
    expected = QUERIES_LIST - (connection.vendor == "postgresql")
    with django_assert_num_queries(expected):
        assert boss.get("/tagihan/?tahun=2027").status_code == 200


QUERIES_LIST = 15
