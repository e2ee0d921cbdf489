"""Reconciliation on the pages: upload, the check as a job, the four lists (paged, NIK masked
for roles without VIEW_NIK), save and discard; BILL only."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, operator_desa, user_with_role
from lindung.audit.models import Event
from lindung.billing import reconcile_views
from lindung.billing.models import Bill, BillState, Reconciliation, ReconciliationStatus
from lindung.billing.tests.test_reconcile import four_lists, march, paid  # noqa: F401 - fixtures
from lindung.jobs.kinds import register
from lindung.jobs.models import Job, JobStatus
from lindung.roles import Role
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kind() -> None:
    from lindung.billing.reconcile.background import CHECK_KIND

    register(CHECK_KIND)


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


def _upload(client: Client, path: Path, name: str = "") -> Any:
    upload = SimpleUploadedFile(name or path.name, path.read_bytes())
    return client.post(reverse("billing:reconcile-upload"), {"file": upload, "fiscal_year": "2027"})


def test_upload_preview_and_save_as_admin(paid: list, tmp_path: Path, march: None) -> None:  # noqa: F811
    client = _client(admin())
    assert client.get(reverse("billing:reconcile-list")).status_code == 200
    response = _upload(client, four_lists(tmp_path, paid))
    reconciliation = Reconciliation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:reconcile-detail", args=[reconciliation.pk])
    assert Job.objects.get(kind="billing.reconcile-check").status == JobStatus.DONE
    assert reconciliation.status == ReconciliationStatus.CHECKED
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-testid="reconcile-status" data-status="checked"' in html
    assert [(c, n) for c, _label, n in page.context["lists"]] == [
        ("not_on_list", 1),
        ("not_active", 2),
        ("amount_mismatch", 1),
        ("status_mismatch", 1),
        ("matched", 1),
    ]
    assert page.context["chosen"] == "not_on_list"  # the first list with rows
    [entry] = page.context["page"].object_list
    assert entry["code"] == "UNKNOWN_MEMBER" and "neither the KPJ nor the NIK" in entry["message"]
    assert "Bills that saving moves" in html and 'data-testid="reconcile-commit"' in html
    missing = client.get(response["Location"] + "?list=not_active")
    codes = {e["code"] for e in missing.context["page"].object_list}
    assert codes == {"NOT_ACTIVE_AT_BPJS", "MISSING_FROM_RECAP"}
    assert paid[4].nik in missing.content.decode()  # admin sees NIKs in full
    assert set(Bill.objects.values_list("state", flat=True)) == {"DIBAYAR", "RENCANA"}
    saved = client.post(reverse("billing:reconcile-commit", args=[reconciliation.pk]), follow=True)
    reconciliation.refresh_from_db()
    assert reconciliation.status == ReconciliationStatus.COMMITTED
    assert Bill.objects.filter(state=BillState.SELISIH).count() == 1
    assert Event.objects.filter(action="reconciliation_committed").count() == 1
    html = saved.content.decode()
    assert "The reconciliation was saved." in html and "Bills moved" in html
    assert 'data-testid="reconcile-commit"' not in html


def test_the_lists_are_paged(
    paid: list,  # noqa: F811
    tmp_path: Path,
    march: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reconcile_views, "PAGE_SIZE", 1)
    client = _client(admin())
    _upload(client, four_lists(tmp_path, paid))
    url = reverse("billing:reconcile-detail", args=[Reconciliation.objects.get().pk])
    first = client.get(url + "?list=not_active")
    assert first.context["page"].paginator.num_pages == 2
    assert 'data-testid="reconcile-pages"' in first.content.decode()
    second = client.get(url + "?list=not_active&page=2")
    assert second.context["page"].object_list != first.context["page"].object_list


def test_a_bad_file_says_why_and_can_be_discarded(paid: list, tmp_path: Path, march: None) -> None:  # noqa: F811
    client = _client(UserFactory(role=Role.BPJS))
    bad = tmp_path / "bukan-rekap.xlsx"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    response = _upload(client, bad)
    reconciliation = Reconciliation.objects.get()
    assert reconciliation.status == ReconciliationStatus.FAILED
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="reconcile-error"' in html and "not a spreadsheet" in html
    assert 'data-testid="reconcile-commit"' not in html
    done = client.post(reverse("billing:reconcile-discard", args=[reconciliation.pk]), follow=True)
    assert "The recap was discarded; nothing was saved." in done.content.decode()
    reconciliation.refresh_from_db()
    assert reconciliation.status == ReconciliationStatus.DISCARDED
    assert set(Bill.objects.values_list("state", flat=True)) == {"DIBAYAR", "RENCANA"}


def test_a_file_that_is_no_spreadsheet_by_name_is_refused_at_upload(tmp_path: Path) -> None:
    client = _client(admin())
    path = tmp_path / "rekap.pdf"
    path.write_bytes(b"%PDF-1.4")
    response = _upload(client, path)
    assert response.status_code == 302 and Reconciliation.objects.count() == 0
    follow = client.get(response["Location"])
    assert "Upload the recap as an XLSX, XLS, ODS or CSV file." in follow.content.decode()


@pytest.mark.parametrize("role", [Role.PIMPINAN, Role.OPERATOR_DESA, Role.AUDITOR])
def test_roles_without_billing_get_403(role: str, paid: list, tmp_path: Path, march: None) -> None:  # noqa: F811
    _upload(_client(admin()), four_lists(tmp_path, paid))
    pk = Reconciliation.objects.get().pk
    user = operator_desa() if role == Role.OPERATOR_DESA else user_with_role(role)
    client = _client(user)
    for name, args in [
        ("billing:reconcile-list", []),
        ("billing:reconcile-detail", [pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403
    for name, args in [
        ("billing:reconcile-upload", []),
        ("billing:reconcile-commit", [pk]),
        ("billing:reconcile-discard", [pk]),
    ]:
        assert client.post(reverse(name, args=args)).status_code == 403
    assert Reconciliation.objects.get().status == ReconciliationStatus.CHECKED


def test_the_page_shows_the_check_s_progress_while_it_runs(tmp_path: Path) -> None:
    from lindung.billing.reconcile import service

    user = admin()
    path = tmp_path / "rekap.csv"
    path.write_text("KPJ;Status\n27000000001;Aktif\n")
    with path.open("rb") as upload:
        reconciliation = service.store(by=user, upload=upload, file_name="rekap.csv")
    Job.objects.create(
        kind="billing.reconcile-check",
        key=str(reconciliation.pk),
        started_by=user,
        status=JobStatus.RUNNING,
        step="read",
        runner="",
        heartbeat_at=timezone.now(),
    )
    html = _client(user).get(reverse("billing:reconcile-detail", args=[reconciliation.pk]))
    text = html.content.decode()
    assert 'data-status="running"' in text and 'data-kind="billing.reconcile-check"' in text
    assert 'data-testid="reconcile-commit"' not in text
