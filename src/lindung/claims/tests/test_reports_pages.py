"""BPJS claim reports on the pages: upload, the check as a job, the four lists with their row
numbers, save and discard; CLAIM and a whole-regency role only."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lindung.accounts.models import User
from lindung.accounts.tests.factories import admin, operator_desa, user_with_role
from lindung.audit.models import Event as AuditEvent
from lindung.claims.models import Claim, ClaimReport, ClaimState, ReportStatus
from lindung.claims.tests.conftest import on
from lindung.claims.tests.test_reports import (  # noqa: F401 - fixtures
    TODAY,
    recorded,
    report_file,
)
from lindung.jobs.kinds import register
from lindung.jobs.models import Job, JobStatus
from lindung.roles import Role
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kind() -> None:
    from lindung.claims.reports.background import CHECK_KIND

    register(CHECK_KIND)


@pytest.fixture(autouse=True)
def _today(recorded: dict) -> Iterator[None]:  # noqa: F811
    """Every page is seen on 15 April 2027, after the claims were recorded (logged in then:
    the session is that day's)."""
    with on(TODAY):
        yield


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


def _upload(client: Client, path: Path) -> Any:
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("claims:report-upload"), {"file": upload})


def test_upload_preview_and_save_as_admin(recorded: dict, report_file: Path) -> None:  # noqa: F811
    client = _client(admin())
    assert client.get(reverse("claims:report-list")).status_code == 200
    response = _upload(client, report_file)
    report = ClaimReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:report-detail", args=[report.pk])
    assert Job.objects.get(kind="claims.report-check").status == JobStatus.DONE
    assert report.status == ReportStatus.CHECKED
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-testid="report-status" data-status="checked"' in html
    assert [(name, n) for name, _label, n in page.context["lists"]] == [
        ("matched", 3),
        ("new", 1),
        ("unmatched", 1),
        ("problems", 6),
    ]
    assert page.context["chosen"] == "problems"  # the problems first
    rows = [(e["row"], e["code"]) for e in page.context["page"].object_list]
    assert rows[0] == (10, "TYPE_UNKNOWN") and len(rows) == 6
    assert "Row 11 (KPJ" in html and "is not a date" in html
    assert 'data-testid="report-commit"' in html
    unmatched = client.get(response["Location"] + "?list=unmatched")
    [entry] = unmatched.context["page"].object_list
    assert (entry["row"], entry["status"]) == (9, "unmatched")
    assert "5203051207850042" in unmatched.content.decode()  # admin sees the NIK in full
    matched = client.get(response["Location"] + "?list=matched")
    assert [e["status"] for e in matched.context["page"].object_list] == [
        "matched", "matched", "unchanged",
    ]  # fmt: skip
    assert 'data-testid="report-unchanged"' in matched.content.decode()
    assert Claim.objects.get(pk=recorded["medical"].pk).state == ClaimState.DIAJUKAN
    saved = client.post(reverse("claims:report-commit", args=[report.pk]), follow=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.COMMITTED
    assert Claim.objects.get(pk=recorded["medical"].pk).state == ClaimState.DIBAYAR
    assert AuditEvent.objects.filter(action="claim_report_committed").count() == 1
    html = saved.content.decode()
    assert "The claim report was saved." in html and 'data-testid="report-commit"' not in html
    listing = client.get(reverse("claims:report-list")).content.decode()
    assert 'data-testid="report-row" data-status="committed"' in listing


def test_the_same_file_again_is_flagged_and_refused(
    recorded: dict,  # noqa: F811
    report_file: Path,  # noqa: F811
) -> None:
    client = _client(user_with_role(Role.OPERATOR_KABUPATEN))
    _upload(client, report_file)
    first = ClaimReport.objects.get()
    client.post(reverse("claims:report-commit", args=[first.pk]))
    _upload(client, report_file)
    second = ClaimReport.objects.exclude(pk=first.pk).get()
    page = client.get(reverse("claims:report-detail", args=[second.pk]))
    assert 'data-testid="report-same-file"' in page.content.decode()
    refused = client.post(reverse("claims:report-commit", args=[second.pk]), follow=True)
    assert "saved already" in refused.content.decode()
    second.refresh_from_db()
    assert second.status == ReportStatus.CHECKED
    discarded = client.post(reverse("claims:report-discard", args=[second.pk]), follow=True)
    assert discarded.redirect_chain[-1][0] == reverse("claims:report-list")
    second.refresh_from_db()
    assert second.status == ReportStatus.DISCARDED


def test_a_file_that_cannot_be_read_shows_why(recorded: dict, tmp_path: Path) -> None:  # noqa: F811
    client = _client(admin())
    path = tmp_path / "rekap.csv"
    path.write_text("Nama;Alamat\nA;B\n", encoding="utf-8")
    response = _upload(client, path)
    report = ClaimReport.objects.get()
    assert report.status == ReportStatus.FAILED
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="report-error"' in page
    wrong = client.post(
        reverse("claims:report-upload"),
        {"file": SimpleUploadedFile("klaim.pdf", b"%PDF-1.4")},
        follow=True,
    )
    assert "XLSX, XLS, ODS or CSV" in wrong.content.decode()


@pytest.mark.parametrize("role", [Role.OPERATOR_DESA, Role.OPERATOR_KECAMATAN, Role.PIMPINAN])
def test_other_roles_are_refused(
    role: str,
    recorded: dict,  # noqa: F811
    report_file: Path,  # noqa: F811
) -> None:
    user = operator_desa() if role == Role.OPERATOR_DESA else user_with_role(role)
    client = _client(user)
    assert client.get(reverse("claims:report-list")).status_code == 403
    assert _upload(client, report_file).status_code == 403
    assert ClaimReport.objects.count() == 0
    _upload(_client(admin()), report_file)
    report = ClaimReport.objects.get()
    assert client.get(reverse("claims:report-detail", args=[report.pk])).status_code == 403
    assert client.post(reverse("claims:report-commit", args=[report.pk])).status_code == 403
    assert client.post(reverse("claims:report-discard", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.CHECKED


def test_a_bpjs_officer_may_read_the_reports(recorded: dict) -> None:  # noqa: F811
    client = _client(user_with_role(Role.BPJS))
    assert client.get(reverse("claims:report-list")).status_code == 200
