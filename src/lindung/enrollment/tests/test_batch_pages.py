"""The enrollment overview, making a batch on the page, the batch's page, downloads and
cancellation: per role and wilayah."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.models import User
from lindung.accounts.tests.factories import (
    UserFactory,
    admin,
    auditor,
    operator_desa,
    operator_kecamatan,
)
from lindung.audit.models import Event
from lindung.enrollment.batch_views import _hidden
from lindung.enrollment.batches import create_batch
from lindung.enrollment.models import (
    Answer,
    BatchStatus,
    Participation,
    RegistrationBatch,
    State,
    Wadah,
)
from lindung.roles import Role
from lindung.targeting.models import BeneficiaryList
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db
START = datetime.date(2027, 1, 1)
PRINGGABAYA = "52.03.08.2001"


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


@pytest.fixture
def batch(approved: BeneficiaryList, wadah: Wadah) -> RegistrationBatch:
    return create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)


# --- the overview -------------------------------------------------------------------------------
def test_the_overview_shows_the_list_in_force_its_counts_and_the_batch_form(
    approved: BeneficiaryList, wadah: Wadah, django_assert_max_num_queries: Any
) -> None:
    client = _client(admin())
    with django_assert_max_num_queries(14):
        response = client.get(reverse("enrollment:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["year"] == 2027
    assert "beneficiary list 1, version 1" in html
    [(row, figures)] = response.context["table"]["rows"]
    assert (row["source"], row["wadah"], row["total"]) == ("apbd", "", 5)
    assert figures[0].value == 5 and not any(f.hidden for f in figures)
    assert 'data-testid="batch-new"' in html
    form = response.context["batch_form"]
    assert form.initial["start"][:4] == "2027" and form.initial["fiscal_year"] == 2027


def test_the_overview_lists_the_year_s_batches_for_the_whole_deployment(
    batch: RegistrationBatch, django_assert_max_num_queries: Any
) -> None:
    client = _client(UserFactory(role=Role.BPJS))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("enrollment:overview"), {"tahun": "2027"})
    html = response.content.decode()
    assert reverse("enrollment:batch-detail", args=[batch.pk]) in html
    assert 'data-testid="batch-new"' not in html  # ENROLL without EDIT_DATA
    [(row, _figures)] = response.context["table"]["rows"]
    assert (row["wadah"], row["by_state"][State.DIAJUKAN]) == ("SG-APBD", 5)


def test_an_unknown_year_falls_back_to_the_newest_list(approved: BeneficiaryList) -> None:
    response = _client(admin()).get(reverse("enrollment:overview"), {"tahun": "1999"})
    assert response.status_code == 200 and response.context["year"] == 2027


def test_without_a_list_the_overview_says_so() -> None:
    response = _client(admin()).get(reverse("enrollment:overview"))
    assert response.status_code == 200
    assert "No beneficiary list is approved yet" in response.content.decode()


def test_pimpinan_sees_counts_with_small_ones_hidden_and_no_links(
    approved: BeneficiaryList, batch: RegistrationBatch, registry: dict[str, Any]
) -> None:
    response = _client(UserFactory(role=Role.PIMPINAN)).get(reverse("enrollment:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "/kepesertaan/batch/" not in html and "/kepesertaan/peserta/" not in html
    assert "/sasaran/daftar/" not in html and 'data-testid="batch-new"' not in html
    assert all(w.name not in html for w in registry.values())
    # 5 submitted: shown; nothing small in the table
    assert not response.context["table"]["any_hidden"]
    Participation.objects.filter(nik=registry["poorest"].nik).update(state=State.DITOLAK)
    again = _client(UserFactory(role=Role.PIMPINAN)).get(reverse("enrollment:overview"))
    table = again.context["table"]
    [(_row, figures)] = table["rows"]
    shown = {label: f for (code, label), f in zip(again.context["states"], figures, strict=False)}
    assert shown["Rejected"].hidden and shown["Submitted"].hidden  # 1, and its companion 4
    assert table["any_hidden"] and 'data-testid="counts-hidden"' in again.content.decode()


def test_small_counts_get_companions_so_no_total_gives_them_away() -> None:
    # two rows; row 0: 1 rejected, 9 registered; row 1: 6 registered
    cells: dict[tuple[Any, str], int] = {}
    for i in (0, 1):
        for state in State.values:
            cells[(i, state)] = 0
    cells[(0, State.DITOLAK)], cells[(0, State.TERDAFTAR)], cells[(1, State.TERDAFTAR)] = 1, 9, 6
    cells |= {(0, "total"): 10, (1, "total"): 6}
    cells |= {("all", s): cells[(0, s)] + cells[(1, s)] for s in State.values}
    cells[("all", "total")] = 16
    hidden = _hidden(cells, 2)
    assert (0, State.DITOLAK) in hidden and (0, State.TERDAFTAR) in hidden  # its row's companion
    assert ("all", State.DITOLAK) in hidden  # the column's total is that 1 too
    assert ("all", State.TERDAFTAR) in hidden and (1, State.TERDAFTAR) in hidden
    assert (0, "total") not in hidden and ("all", "total") not in hidden


def test_an_area_operator_counts_only_their_area_and_sees_no_batches(
    batch: RegistrationBatch,
) -> None:
    response = _client(operator_desa(PRINGGABAYA)).get(reverse("enrollment:overview"))
    [(row, _figures)] = response.context["table"]["rows"]
    assert row["total"] == 1 and response.context["batches"] == []
    assert "/kepesertaan/batch/" not in response.content.decode()


def test_without_a_wadah_the_admin_is_sent_to_set_one_up(approved: BeneficiaryList) -> None:
    html = _client(admin()).get(reverse("enrollment:overview")).content.decode()
    assert 'data-testid="no-wadah"' in html and reverse("enrollment:wadah-list") in html
    kabupaten = _client(UserFactory(role=Role.OPERATOR_KABUPATEN))
    html = kabupaten.get(reverse("enrollment:overview")).content.decode()
    assert 'data-testid="no-wadah"' in html and reverse("enrollment:wadah-list") not in html


# --- making a batch -----------------------------------------------------------------------------
def test_making_a_batch_runs_the_job_and_opens_the_batch(
    approved: BeneficiaryList, wadah: Wadah
) -> None:
    client = _client(admin())
    data = {"fiscal_year": 2027, "wadah": wadah.pk, "kind": "new", "start": "2027-03"}
    response = client.post(reverse("enrollment:batch-new"), data)
    batch = RegistrationBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enrollment:batch-detail", args=[batch.pk])
    assert (batch.workers, batch.start, batch.months) == (5, datetime.date(2027, 3, 1), 10)
    assert Event.objects.filter(action="batch_created").count() == 1


def test_a_batch_with_nobody_to_send_is_a_clear_message(batch: RegistrationBatch) -> None:
    client = _client(admin())
    data = {"fiscal_year": 2027, "wadah": batch.wadah_id, "kind": "new", "start": "2027-01"}
    response = client.post(reverse("enrollment:batch-new"), data, follow=True)
    assert "List 1 has no new registration candidates for wadah SG-APBD" in (
        response.content.decode()
    )
    assert RegistrationBatch.objects.count() == 1


def test_a_start_outside_the_year_is_refused_on_the_form(
    approved: BeneficiaryList, wadah: Wadah
) -> None:
    client = _client(admin())
    data = {"fiscal_year": 2027, "wadah": wadah.pk, "kind": "new", "start": "2026-12"}
    response = client.post(reverse("enrollment:batch-new"), data)
    assert response.status_code == 400
    assert "must be a month of fiscal year 2027" in response.content.decode()
    assert not RegistrationBatch.objects.exists()


@pytest.mark.parametrize("role", [Role.BPJS, Role.AUDITOR, Role.PIMPINAN])
def test_only_those_who_enroll_and_edit_make_batches(
    role: str, approved: BeneficiaryList, wadah: Wadah
) -> None:
    data = {"fiscal_year": 2027, "wadah": wadah.pk, "kind": "new", "start": "2027-01"}
    response = _client(UserFactory(role=role)).post(reverse("enrollment:batch-new"), data)
    assert response.status_code == 403 and not RegistrationBatch.objects.exists()


# --- the batch page, its files, cancelling ------------------------------------------------------
def test_the_batch_page_shows_its_facts_counts_files_and_upload(
    batch: RegistrationBatch, django_assert_max_num_queries: Any
) -> None:
    officer = UserFactory(role=Role.BPJS)
    for name in ("jawaban-1.xlsx", "jawaban-2.xlsx"):
        Answer.objects.create(batch=batch, file_name=name, folder="", sha256="", created_by=officer)
    client = _client(officer)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("enrollment:batch-detail", args=[batch.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "SG-APBD" in html and "NPW1234567" in html and "KC Selong" in html
    assert 'data-testid="batch-state-DIAJUKAN"' in html
    assert 'data-testid="batch-xlsx"' in html and 'data-testid="batch-csv"' in html
    assert 'data-testid="answer-upload"' in html and html.count('data-testid="answer-row"') == 2
    assert 'data-testid="batch-cancel"' not in html  # the BPJS officer does not cancel


def test_the_batch_page_names_the_workers_held_back(
    approved: BeneficiaryList, wadah: Wadah, registry: dict[str, Any]
) -> None:
    Participation.objects.filter(nik=registry["farmer"].nik).update(nik="123")
    registry["farmer"].address = ""
    registry["farmer"].save()
    batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)
    response = _client(admin()).get(reverse("enrollment:batch-detail", args=[batch.pk]))
    problems = response.content.decode().split('data-testid="batch-problems"')[1]
    assert registry["farmer"].name in problems and "MISSING_FIELD" in problems


def test_the_auditor_reads_the_batch_but_does_not_download(batch: RegistrationBatch) -> None:
    client = _client(auditor())
    html = client.get(reverse("enrollment:batch-detail", args=[batch.pk])).content.decode()
    assert 'data-testid="batch-xlsx"' not in html and 'data-testid="answer-upload"' not in html
    url = reverse("enrollment:batch-download", args=[batch.pk, "xlsx"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("user", [lambda: operator_desa(), lambda: operator_kecamatan()])
def test_area_operators_do_not_find_batches(batch: RegistrationBatch, user: Any) -> None:
    response = _client(user()).get(reverse("enrollment:batch-detail", args=[batch.pk]))
    assert response.status_code == 404


def test_pimpinan_gets_403_on_the_batch(batch: RegistrationBatch) -> None:
    client = _client(UserFactory(role=Role.PIMPINAN))
    assert client.get(reverse("enrollment:batch-detail", args=[batch.pk])).status_code == 403


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_download_serves_the_stored_file_and_is_audited(
    batch: RegistrationBatch, fmt: str
) -> None:
    user = UserFactory(role=Role.BPJS)
    response = _client(user).get(reverse("enrollment:batch-download", args=[batch.pk, fmt]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body
    disposition = response["Content-Disposition"]
    assert f'filename="pendaftaran-sg-apbd-2027-01-batch-{batch.pk}.{fmt}"' in disposition
    event = Event.objects.get(action="batch_downloaded")
    assert event.actor == user and event.after["format"] == fmt
    assert event.object_id == str(batch.pk)


def test_an_unknown_format_is_not_found(batch: RegistrationBatch) -> None:
    url = reverse("enrollment:batch-download", args=[batch.pk, "pdf"])
    assert _client(admin()).get(url).status_code == 404
    assert not Event.objects.filter(action="batch_downloaded").exists()


def test_cancelling_a_batch_makes_its_workers_candidates_again(batch: RegistrationBatch) -> None:
    client = _client(admin())
    html = client.get(reverse("enrollment:batch-detail", args=[batch.pk])).content.decode()
    assert 'data-testid="batch-cancel"' in html
    response = client.post(reverse("enrollment:batch-cancel", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED
    assert set(Participation.objects.values_list("state", flat=True)) == {State.CALON}
    assert Event.objects.filter(action="batch_cancelled").exists()
    html = response.content.decode()
    assert "candidates again" in html and 'data-testid="answer-upload"' not in html


def test_an_answered_batch_cannot_be_cancelled(batch: RegistrationBatch) -> None:
    RegistrationBatch.objects.filter(pk=batch.pk).update(registered=1)
    client = _client(admin())
    response = client.post(reverse("enrollment:batch-cancel", args=[batch.pk]), follow=True)
    assert "can no longer be cancelled" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT


def test_the_bpjs_officer_may_not_cancel(batch: RegistrationBatch) -> None:
    client = _client(UserFactory(role=Role.BPJS))
    assert client.post(reverse("enrollment:batch-cancel", args=[batch.pk])).status_code == 403
