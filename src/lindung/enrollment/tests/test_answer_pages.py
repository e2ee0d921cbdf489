"""The branch's answer on the pages: upload, the check as a job, the preview of problem rows,
save (Simpan) and discard (Buang); per role."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, auditor, operator_desa
from lindung.audit.models import Event
from lindung.enrollment import answer_views
from lindung.enrollment.answers import service as answers
from lindung.enrollment.batches import cancel_batch, create_batch
from lindung.enrollment.models import (
    Answer,
    AnswerStatus,
    BatchStatus,
    Participation,
    RegistrationBatch,
    State,
    Wadah,
)
from lindung.enrollment.services import EnrollmentError
from lindung.enrollment.tests.test_answers import HEADER, _answer, _niks
from lindung.jobs.models import Job, JobStatus
from lindung.roles import Role
from lindung.targeting.models import BeneficiaryList
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db
START = datetime.date(2027, 1, 1)
OUTSIDER = "5203070101010001"


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


@pytest.fixture
def batch(approved: BeneficiaryList, wadah: Wadah) -> RegistrationBatch:
    return create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)


@pytest.fixture
def answer_file(batch: RegistrationBatch, tmp_path: Path) -> Path:
    """Four workers registered, one rejected, and a NIK the batch does not hold."""
    niks = _niks(batch)
    rows: list[list[Any]] = [
        [nik, 10_000_000_000 + i, "Berhasil", "", START] for i, nik in enumerate(niks[:4], 1)
    ]
    rows.append([niks[4], None, "Ditolak", "Data tidak sesuai Dukcapil", None])
    rows.append([OUTSIDER, 10_000_000_009, "Berhasil", "", START])
    return _answer(tmp_path / "jawaban-kc-selong.xlsx", rows, HEADER)


def _upload(client: Client, batch: RegistrationBatch, path: Path, name: str = "") -> Any:
    upload = SimpleUploadedFile(name or path.name, path.read_bytes())
    url = reverse("enrollment:answer-upload", args=[batch.pk])
    return client.post(url, {"file": upload})


def test_an_upload_is_checked_and_previewed_with_its_problem_rows(
    batch: RegistrationBatch, answer_file: Path
) -> None:
    user = UserFactory(role=Role.BPJS)
    client = _client(user)
    response = _upload(client, batch, answer_file)
    answer = Answer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enrollment:answer-detail", args=[answer.pk])
    assert answer.status == AnswerStatus.CHECKED and answer.created_by == user
    assert (answer.rows_total, answer.registered, answer.rejected, answer.problems) == (6, 4, 1, 1)
    assert Job.objects.get(kind="enrollment.answer-check").status == JobStatus.DONE
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-testid="answer-status" data-status="checked"' in html
    assert "This NIK is not waiting for an answer in this batch." in html
    [row] = page.context["problems"]
    assert (row["row"], row["nik"], row["errors"]) == (9, OUTSIDER, ["NIK_NOT_IN_BATCH"])
    assert 'data-testid="answer-commit"' in html and 'data-testid="answer-discard"' in html
    assert 'data-testid="answer-same-file"' not in html
    # nothing saved yet
    assert set(Participation.objects.values_list("state", flat=True)) == {State.DIAJUKAN}


def test_saving_registers_the_workers_and_says_what_changed(
    batch: RegistrationBatch, answer_file: Path
) -> None:
    client = _client(admin())
    _upload(client, batch, answer_file)
    answer = Answer.objects.get()
    response = client.post(reverse("enrollment:answer-commit", args=[answer.pk]), follow=True)
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.COMMITTED
    assert Participation.objects.filter(state=State.TERDAFTAR).count() == 4
    assert Participation.objects.filter(state=State.DITOLAK).count() == 1
    assert Event.objects.filter(action="answer_committed").count() == 1
    html = response.content.decode()
    assert "The branch&#x27;s answer was saved." in html
    assert "Participations changed: 5." in html and 'data-testid="back-to-batch"' in html
    assert 'data-testid="answer-commit"' not in html
    batch.refresh_from_db()
    assert (batch.registered, batch.rejected, batch.status) == (4, 1, BatchStatus.ANSWERED)


def test_the_same_file_again_says_saving_changes_nothing(
    batch: RegistrationBatch, answer_file: Path
) -> None:
    client = _client(admin())
    _upload(client, batch, answer_file)
    client.post(reverse("enrollment:answer-commit", args=[Answer.objects.get().pk]))
    _upload(client, batch, answer_file, name="lagi.xlsx")
    again = Answer.objects.get(file_name="lagi.xlsx")
    html = client.get(reverse("enrollment:answer-detail", args=[again.pk])).content.decode()
    assert 'data-testid="answer-same-file"' in html and "changes nothing" in html
    assert again.unchanged == 5


def test_discarding_saves_nothing(batch: RegistrationBatch, answer_file: Path) -> None:
    client = _client(admin())
    _upload(client, batch, answer_file)
    answer = Answer.objects.get()
    response = client.post(reverse("enrollment:answer-discard", args=[answer.pk]))
    assert response["Location"] == reverse("enrollment:batch-detail", args=[batch.pk])
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.DISCARDED
    assert Event.objects.filter(action="answer_discarded").count() == 1
    assert set(Participation.objects.values_list("state", flat=True)) == {State.DIAJUKAN}
    html = client.get(reverse("enrollment:answer-detail", args=[answer.pk])).content.decode()
    assert 'data-testid="answer-discarded"' in html and 'data-testid="answer-commit"' not in html


def test_a_saved_answer_cannot_be_discarded_or_saved_twice(
    batch: RegistrationBatch, answer_file: Path
) -> None:
    client = _client(admin())
    _upload(client, batch, answer_file)
    answer = Answer.objects.get()
    client.post(reverse("enrollment:answer-commit", args=[answer.pk]))
    discard = client.post(reverse("enrollment:answer-discard", args=[answer.pk]), follow=True)
    assert "A saved answer cannot be discarded." in discard.content.decode()
    commit = client.post(reverse("enrollment:answer-commit", args=[answer.pk]), follow=True)
    assert "Only a checked answer can be saved." in commit.content.decode()
    assert Event.objects.filter(action="answer_committed").count() == 1


def test_an_unreadable_file_gets_one_clear_message(
    batch: RegistrationBatch, tmp_path: Path
) -> None:
    empty = _answer(tmp_path / "kosong.xlsx", [], HEADER)
    client = _client(admin())
    response = _upload(client, batch, empty)
    answer = Answer.objects.get()
    assert answer.status == AnswerStatus.FAILED
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="answer-error"' in html and "contains no rows" in html
    assert 'data-testid="answer-commit"' not in html and 'data-testid="answer-discard"' in html


def test_a_file_that_is_not_a_spreadsheet_is_refused_at_once(batch: RegistrationBatch) -> None:
    client = _client(admin())
    upload = SimpleUploadedFile("jawaban.pdf", b"%PDF-1.4")
    url = reverse("enrollment:answer-upload", args=[batch.pk])
    response = client.post(url, {"file": upload}, follow=True)
    assert "as an XLSX, XLS, ODS or CSV file" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_cancelled_batch_takes_no_answer(batch: RegistrationBatch, answer_file: Path) -> None:
    cancel_batch(by="test", batch=batch)
    response = _upload(_client(admin()), batch, answer_file)
    assert response.status_code == 302 and not Answer.objects.exists()


def test_while_the_check_waits_the_page_shows_its_progress_and_polls_itself(
    batch: RegistrationBatch, answer_file: Path, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    officer = UserFactory(role=Role.BPJS)
    _upload(_client(officer), batch, answer_file)
    answer = Answer.objects.get()
    assert answer.status == AnswerStatus.CHECKING
    url = reverse("enrollment:answer-detail", args=[answer.pk])
    html = _client(admin()).get(url).content.decode()  # another person sees it too
    assert 'data-status="running"' in html and f'hx-get="{url}"' in html
    assert 'data-testid="job-progress"' in html and 'data-testid="answer-commit"' not in html
    fragment = _client(admin()).get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="answer-status"')
    answers.run_check(answer)  # what the background worker does
    Job.objects.update(status=JobStatus.DONE)
    fragment = _client(admin()).get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="checked"' in fragment and "hx-get" not in fragment


def test_only_the_first_problem_rows_are_listed(
    batch: RegistrationBatch, answer_file: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(answer_views, "PROBLEM_ROWS", 0)
    client = _client(admin())
    response = _upload(client, batch, answer_file)
    page = client.get(response["Location"])
    assert page.context["problems"] == [] and page.context["more_problems"] == 1


def test_the_auditor_reads_the_answer_but_cannot_decide(
    batch: RegistrationBatch, answer_file: Path
) -> None:
    _upload(_client(admin()), batch, answer_file)
    answer = Answer.objects.get()
    client = _client(auditor())
    html = client.get(reverse("enrollment:answer-detail", args=[answer.pk])).content.decode()
    assert 'data-testid="answer-problems"' in html and 'data-testid="answer-commit"' not in html
    assert client.post(reverse("enrollment:answer-commit", args=[answer.pk])).status_code == 403
    assert _upload(client, batch, answer_file).status_code == 403
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.CHECKED


def test_area_operators_and_pimpinan_do_not_open_answers(
    batch: RegistrationBatch, answer_file: Path
) -> None:
    _upload(_client(admin()), batch, answer_file)
    url = reverse("enrollment:answer-detail", args=[Answer.objects.get().pk])
    assert _client(operator_desa()).get(url).status_code == 404
    assert _client(UserFactory(role=Role.PIMPINAN)).get(url).status_code == 403


def test_the_cli_receive_still_checks_at_once(batch: RegistrationBatch, answer_file: Path) -> None:
    answer = answers.receive(by="test", batch=batch, source=answer_file, file_name="a.xlsx")
    assert answer.status == AnswerStatus.CHECKED and answer.problems == 1
    kept = Path(answer.folder)
    assert answer.sha256 and kept.name == str(answer.pk)


def test_a_save_that_fails_says_why_and_keeps_the_answer_checked(
    batch: RegistrationBatch, answer_file: Path, monkeypatch: Any
) -> None:
    client = _client(admin())
    _upload(client, batch, answer_file)
    answer = Answer.objects.get()

    def refuse(**kwargs: Any) -> None:
        raise EnrollmentError("Another answer was saved first.")

    monkeypatch.setattr(answers, "commit", refuse)
    client.post(reverse("enrollment:answer-commit", args=[answer.pk]))
    html = client.get(reverse("enrollment:answer-detail", args=[answer.pk])).content.decode()
    assert 'data-testid="answer-save-failed"' in html and "saved first" in html
    assert 'data-testid="answer-commit"' in html  # it can be tried again
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.CHECKED
