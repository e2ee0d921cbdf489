"""The web import: upload, background check, preview, commit or discard, error report."""

import io
from pathlib import Path

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import UserFactory, admin, operator_kecamatan
from lindung.audit.models import Event
from lindung.registry.models import ImportBatch, ImportStatus, Worker
from lindung.registry.tests.test_import import HEADER, NIK_1, good_rows
from lindung.roles import Role

pytestmark = pytest.mark.django_db


def upload(client: Client, *rows: str, source: str = "DTKS 2025") -> ImportBatch:
    content = "\n".join([HEADER, *rows]).encode()
    response = client.post(
        reverse("registry:import-list"),
        {"file": SimpleUploadedFile("daftar desa.csv", content), "source": source, "sheet": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.latest("created_at")


def test_an_upload_is_checked_and_previewed_without_writing_anything(client: Client) -> None:
    client.force_login(admin())
    bad = f"4;{NIK_1[:-1]}9;;L;28-05-1980;Pancor;Selong;Petani;;"

    batch = upload(client, *good_rows(), bad)

    assert batch.status == ImportStatus.READY
    assert (batch.rows_total, batch.new, batch.rejected) == (4, 3, 1)
    assert batch.code_counts == {"NAME_MISSING": 1}
    assert not Worker.objects.exists()
    page = client.get(reverse("registry:import-detail", args=[batch.pk]))
    assert page.status_code == 200
    assert b'data-status="ready"' in page.content and b"NAME_MISSING" in page.content


def test_commit_writes_the_rows_and_records_who_decided(client: Client) -> None:
    user = admin()
    client.force_login(user)
    batch = upload(client, *good_rows())

    response = client.post(reverse("registry:import-commit", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.decided_by == user
    assert Worker.objects.count() == 3
    assert Event.objects.filter(action="workers_imported", batch=batch.pk, actor=user).exists()
    # A second commit is refused: the batch is no longer ready.
    client.post(reverse("registry:import-commit", args=[batch.pk]))
    assert Worker.objects.count() == 3


def test_discard_keeps_the_registry_as_it_was(client: Client) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows())

    client.post(reverse("registry:import-discard", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED and not Worker.objects.exists()
    client.post(reverse("registry:import-commit", args=[batch.pk]))
    assert not Worker.objects.exists()


def test_the_error_report_downloads_with_the_codes(client: Client) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows(), f"4;{NIK_1[:-1]}9;;L;;Pancor;Selong;;;")

    response = client.get(reverse("registry:import-report", args=[batch.pk]))

    assert response.status_code == 200
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    frame = pl.read_excel(io.BytesIO(data), engine="calamine", infer_schema_length=0)
    assert frame.height == 4
    assert frame.get_column("NIK").to_list()[3] == NIK_1[:-1] + "9"
    assert "NAME_MISSING" in frame.row(3)[-2]


def test_a_file_that_cannot_be_read_fails_with_its_reason(client: Client) -> None:
    client.force_login(admin())
    response = client.post(
        reverse("registry:import-list"),
        {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04 broken"), "source": "X"},
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert batch.status == ImportStatus.FAILED and batch.error


def test_other_operators_do_not_see_a_batch(client: Client) -> None:
    client.force_login(operator_kecamatan("52.03.07"))
    batch = upload(client, *good_rows())

    client.force_login(operator_kecamatan("52.03.08", username="op.pringgabaya"))
    assert client.get(reverse("registry:import-detail", args=[batch.pk])).status_code == 404
    client.post(reverse("registry:import-commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY


def test_a_kecamatan_operator_only_imports_rows_of_the_kecamatan(client: Client) -> None:
    client.force_login(operator_kecamatan("52.03.07"))
    batch = upload(client, *good_rows())

    assert (batch.new, batch.rejected) == (2, 1)
    assert batch.code_counts == {"WILAYAH_OUTSIDE_SCOPE": 1}


def test_leadership_cannot_upload(client: Client) -> None:
    client.force_login(UserFactory(role=Role.PIMPINAN))
    assert client.get(reverse("registry:import-list")).status_code == 403


def test_the_uploaded_file_is_kept_with_its_hash(client: Client, settings: object) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows())

    stored = Path(settings.VAR_DIR) / batch.file_path  # type: ignore[attr-defined]
    assert stored.read_bytes().startswith(b"No;NIK")
    assert len(batch.file_sha256) == 64
