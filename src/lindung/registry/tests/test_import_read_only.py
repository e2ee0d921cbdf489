"""The auditor reads imports (batches, preview, checked file) and changes none; the menu, the
buttons and the views agree for every role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import auditor, operator_kecamatan, user_with_role
from lindung.audit.models import Event
from lindung.registry.models import ImportBatch, ImportStatus
from lindung.registry.tests.test_import import HEADER, good_rows
from lindung.registry.tests.test_import_pages import upload
from lindung.roles import Role

pytestmark = pytest.mark.django_db

LIST = reverse("registry:import-list")


def _batch(client: Client) -> ImportBatch:
    client.force_login(operator_kecamatan("52.03.07", username="op.selong"))
    batch = upload(client, *good_rows())
    assert batch.status == ImportStatus.READY
    return batch


def test_the_auditor_sees_the_batches_and_their_preview_without_upload_or_buttons(
    client: Client,
) -> None:
    batch = _batch(client)
    client.force_login(auditor())

    page = client.get(LIST).content.decode()
    assert f'href="{LIST}"' in page  # the menu entry
    assert reverse("registry:import-detail", args=[batch.pk]) in page
    assert 'data-testid="import-upload"' not in page and 'data-testid="import-read-only"' in page
    detail = client.get(reverse("registry:import-detail", args=[batch.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'data-testid="import-counts"' in html and 'data-testid="import-report"' in html
    assert 'data-testid="import-commit"' not in html and 'data-testid="import-discard"' not in html


def test_the_auditor_downloads_the_checked_file_and_the_download_is_audited(
    client: Client,
) -> None:
    batch = _batch(client)
    reader = auditor()
    client.force_login(reader)

    response = client.get(reverse("registry:import-report", args=[batch.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content)  # type: ignore[attr-defined]
    event = Event.objects.get(action="import_report_downloaded")
    assert (event.actor, event.object_id, event.batch) == (reader, str(batch.pk), batch.pk)


def test_the_auditor_cannot_upload_commit_or_discard(client: Client) -> None:
    batch = _batch(client)
    client.force_login(auditor())
    content = "\n".join([HEADER, *good_rows()]).encode()

    uploaded = client.post(LIST, {"file": SimpleUploadedFile("x.csv", content), "source": "X"})
    committed = client.post(reverse("registry:import-commit", args=[batch.pk]))
    discarded = client.post(reverse("registry:import-discard", args=[batch.pk]))

    assert (uploaded.status_code, committed.status_code, discarded.status_code) == (403, 403, 403)
    assert ImportBatch.objects.count() == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY


@pytest.mark.parametrize("role", Role.values)
def test_the_menu_shows_imports_exactly_to_the_roles_whose_pages_open(
    client: Client, role: str
) -> None:
    batch = _batch(client)
    user = user_with_role(role)
    client.force_login(user)
    opens = client.get(LIST).status_code == 200
    home = client.get(reverse("regions:home"), follow=True).content.decode()

    assert (f'href="{LIST}"' in home) == opens
    assert opens == (role in (Role.ADMIN, Role.OPERATOR_KABUPATEN, Role.OPERATOR_KECAMATAN,
                              Role.OPERATOR_DESA, Role.AUDITOR))  # fmt: skip
    if opens:
        page = client.get(LIST).content.decode()
        detail = client.get(reverse("registry:import-detail", args=[batch.pk]))
        may_edit = role != Role.AUDITOR
        assert ('data-testid="import-upload"' in page) == may_edit
        if detail.status_code == 200:  # whole-deployment roles see every batch
            assert ('data-testid="import-commit"' in detail.content.decode()) == may_edit
