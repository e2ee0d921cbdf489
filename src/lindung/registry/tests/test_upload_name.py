"""An upload whose file name is too long for a multipart header gets an Indonesian page that
says what to do, not Django's bare "Bad Request (400)"."""

import pytest
from django.test import Client

from lindung.accounts.tests.factories import admin
from lindung.registry.models import ImportBatch

pytestmark = pytest.mark.django_db


def _upload(client: Client, file_name: str) -> object:
    boundary = "LINDUNG"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\nDTKS\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f"Content-Type: text/csv\r\n\r\nNo;NIK;Nama\r\n--{boundary}--\r\n"
    ).encode()
    return client.generic(
        "POST", "/pekerja/impor/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_a_5000_character_file_name_gets_an_indonesian_page_and_saves_nothing(
    client: Client,
) -> None:
    client.force_login(admin())
    response = _upload(client, "a" * 5000 + ".csv")
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "Permintaan tidak dapat dibaca" in html
    assert "ganti nama berkas" in html
    assert 'lang="id"' in html and "Bad Request (400)" not in html
    assert not ImportBatch.objects.exists()
