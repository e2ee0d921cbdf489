"""The claims pages as their users click them: a desa operator reports a death from the worker's
page, opens the claim, completes the file; the branch's officer records the payment. Scope,
masking and refusals."""

import datetime
from typing import Any

import pytest
from django.test import Client

from lindung.accounts.models import User
from lindung.accounts.tests.factories import admin, operator_desa, user_with_role
from lindung.claims.models import Claim, ClaimState, Event
from lindung.claims.rules import current as claim_rules
from lindung.claims.tests.conftest import on
from lindung.registry.models import Worker
from lindung.roles import Role
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _long_sessions(settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600


def _report(client: Client, worker: Worker, **change: str) -> Any:
    data = {"kind": "death", "occurred_on": "2027-02-10", "occurred_at": "", "place": "Rumah",
            "cause": "not_work", "description": "Sakit"} | change  # fmt: skip
    return client.post(f"/klaim/lapor/{worker.pk}/", data)


def test_a_desa_operator_reports_a_death_and_works_the_claim_to_payment(
    paid_half_year: dict[str, Any],
) -> None:
    worker = Worker.objects.get(pk=paid_half_year["apbd"][0].worker_id)
    desa = _client(operator_desa(worker.desa_id))
    with on(datetime.date(2027, 2, 12)):
        page = desa.get(f"/pekerja/{worker.pk}/")
        assert f"/klaim/lapor/{worker.pk}/" in page.content.decode()
        response = _report(desa, worker)
        event = Event.objects.get()
        assert response["Location"] == f"/klaim/kejadian/{event.pk}/"
        page = desa.get(response["Location"]).content.decode()
        assert 'data-verdict="protected"' in page and "30 June 2027" in page

        response = desa.post(f"/klaim/kejadian/{event.pk}/klaim/", {"kind": "jkm"})
        claim = Claim.objects.get()
        assert response["Location"] == f"/klaim/{claim.pk}/"
        page = desa.get(f"/klaim/{claim.pk}/").content.decode()
        assert "Rp42.000.000" in page and 'data-testid="file-form"' in page

        codes = [c for c, _l in claim_rules().documents_for("jkm", road=False)]
        desa.post(f"/klaim/{claim.pk}/berkas/", {"documents": codes, "note": ""})
        heirs = {
            "ahli-TOTAL_FORMS": "4", "ahli-INITIAL_FORMS": "0", "ahli-MIN_NUM_FORMS": "4",
            "ahli-MAX_NUM_FORMS": "10",
            "ahli-0-relation": "spouse", "ahli-0-name": "Inaq Sumiati",
            "ahli-0-nik": "5203074101850001",
            "ahli-1-relation": "child", "ahli-1-name": "Lalu Anak", "ahli-1-school_level": "SD",
        }  # fmt: skip
        assert desa.post(f"/klaim/{claim.pk}/ahli-waris/", heirs).status_code == 302
        assert desa.post(f"/klaim/{claim.pk}/lengkap/").status_code == 302
        claim.refresh_from_db()
        assert claim.state == ClaimState.BERKAS_LENGKAP
        desa.post(f"/klaim/{claim.pk}/ajukan/", {"submitted_on": "2027-02-12", "bpjs_number": ""})
    bpjs = _client(user_with_role(Role.BPJS))
    with on(datetime.date(2027, 2, 16)):
        response = bpjs.post(
            f"/klaim/{claim.pk}/dibayar/",
            {"paid_on": "2027-02-16", "amount": "42.000.000", "bpjs_number": "JKM-1"},
        )
        assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.state, claim.paid_amount) == (ClaimState.DIBAYAR, 42_000_000)
    page = bpjs.get(f"/klaim/{claim.pk}/").content.decode()
    assert "Inaq Sumiati" in page and "Rp42.000.000" in page


def test_a_refused_step_shows_the_reason_and_changes_nothing(
    paid_half_year: dict[str, Any],
) -> None:
    worker = Worker.objects.get(pk=paid_half_year["apbd"][0].worker_id)
    boss = _client(admin())
    with on(datetime.date(2027, 2, 12)):
        page = _report(boss, worker, kind="accident", cause="not_work").content.decode()
        assert "not covered by JKK" in page and Event.objects.count() == 0
        page = _report(boss, worker, occurred_on="2027-03-01").content.decode()
        assert "future" in page and Event.objects.count() == 0
        _report(boss, worker)
        claim_page = boss.post(f"/klaim/kejadian/{Event.objects.get().pk}/klaim/", {"kind": "jkm"})
        claim = Claim.objects.get()
        page = boss.post(f"/klaim/{claim.pk}/lengkap/").content.decode()
        assert "The file is not complete" in page
        claim.refresh_from_db()
        assert claim.state == ClaimState.DILAPORKAN and claim_page.status_code == 302


def test_scope_hides_other_villages_and_pimpinan_sees_no_person(
    paid_half_year: dict[str, Any],
) -> None:
    from lindung.claims import services

    worker = Worker.objects.get(pk=paid_half_year["apbd"][0].worker_id)
    with on(datetime.date(2027, 2, 12)):
        event = services.report_event(
            by="test", worker=worker, kind="death", occurred_on=datetime.date(2027, 2, 10),
            place="Rumah", cause="not_work",
        )  # fmt: skip
        claim = services.open_claim(by="test", event=event, kind="jkm")
    elsewhere = _client(operator_desa("52.03.08.2001"))
    for url in (f"/klaim/{claim.pk}/", f"/klaim/kejadian/{event.pk}/"):
        assert elsewhere.get(url).status_code == 404
    assert _report(elsewhere, worker).status_code == 404
    assert claim.number not in elsewhere.get("/klaim/").content.decode()
    boss_page = _client(admin()).get("/klaim/").content.decode()
    assert claim.number in boss_page
    leader = _client(user_with_role(Role.PIMPINAN))
    for url in ("/klaim/", f"/klaim/{claim.pk}/", f"/klaim/kejadian/{event.pk}/"):
        assert leader.get(url).status_code == 403
    auditor = _client(user_with_role(Role.AUDITOR))
    assert auditor.get(f"/klaim/{claim.pk}/").status_code == 200
    assert auditor.post(f"/klaim/{claim.pk}/lengkap/").status_code == 403


def test_the_worklist_shows_a_death_with_no_claim_after_30_days(
    paid_half_year: dict[str, Any],
) -> None:
    from lindung.claims import services

    worker = Worker.objects.get(pk=paid_half_year["apbd"][0].worker_id)
    with on(datetime.date(2027, 2, 12)):
        services.report_event(
            by="test", worker=worker, kind="death", occurred_on=datetime.date(2027, 2, 10),
            place="Rumah", cause="not_work",
        )  # fmt: skip
    boss = _client(admin())
    with on(datetime.date(2027, 3, 1)):
        assert 'data-testid="work-deaths"' not in boss.get("/klaim/").content.decode()
    with on(datetime.date(2027, 3, 13)):
        page = boss.get("/klaim/").content.decode()
    assert 'data-testid="work-deaths"' in page and worker.name in page


def test_the_home_page_counts_the_claims_waiting(paid_half_year: dict[str, Any]) -> None:
    from lindung.claims import services

    worker = Worker.objects.get(pk=paid_half_year["apbd"][0].worker_id)
    with on(datetime.date(2027, 2, 12)):
        services.report_event(
            by="test", worker=worker, kind="death", occurred_on=datetime.date(2027, 2, 10),
            place="Rumah", cause="not_work",
        )  # fmt: skip
    desa = _client(operator_desa(worker.desa_id))
    with on(datetime.date(2027, 3, 20)):
        page = desa.get("/").content.decode()
    assert 'data-testid="home-claims"' in page
    assert 'data-testid="todo-deaths"><span class="card-value">1<' in page


def test_the_claims_download_as_xlsx_within_scope_and_audited(
    paid_half_year: dict[str, Any], tmp_path: Any
) -> None:
    import polars as pl

    from lindung.audit.models import Event as AuditEvent
    from lindung.claims import services

    worker = Worker.objects.get(pk=paid_half_year["apbd"][0].worker_id)
    with on(datetime.date(2027, 2, 12)):
        event = services.report_event(
            by="test", worker=worker, kind="death", occurred_on=datetime.date(2027, 2, 10),
            place="Rumah", cause="not_work",
        )  # fmt: skip
        claim = services.open_claim(by="test", event=event, kind="jkm")

    def rows(client: Client, query: str = "") -> pl.DataFrame:
        response = client.get("/klaim/klaim.xlsx" + query)
        assert response.status_code == 200
        path = tmp_path / "klaim.xlsx"
        path.write_bytes(b"".join(response.streaming_content))
        return pl.read_excel(path)

    boss = _client(admin())
    found = rows(boss, "?tahun=2027&status=DILAPORKAN")
    assert found.height == 1
    assert found.row(0, named=True)["NIK"] == worker.nik
    assert found.row(0, named=True)["Amount by the rules"] == 42_000_000
    assert rows(boss, "?status=DIBAYAR").height == 0
    assert rows(_client(operator_desa("52.03.08.2001"))).height == 0
    assert _client(user_with_role(Role.PIMPINAN)).get("/klaim/klaim.xlsx").status_code == 403
    exported = AuditEvent.objects.filter(action="claims_exported").order_by("pk").first()
    assert exported is not None and exported.after["rows"] == 1
    assert worker.nik not in str(exported.after) and claim.number not in str(exported.after)
