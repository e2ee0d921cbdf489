"""The audit page and its export speak the reader's language: actions, objects and the names of
changed values, never the stored codes (`list_approved`, `targeting.beneficiarylist`,
`rows_skipped`)."""

import io
import re

import polars as pl
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin, auditor
from lindung.audit.actions import Action
from lindung.audit.labels import key_label, model_label
from lindung.audit.services import record

pytestmark = pytest.mark.django_db

URL = reverse("audit:event-list")


def _visible_text(html: str) -> str:
    """What a reader sees: the text between tags (attributes and links' targets left out)."""
    body = html.split("<main", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def events() -> None:
    with transaction.atomic():
        record(
            by=None,
            action=Action.LIST_APPROVED,
            object_type="targeting.beneficiarylist",
            object_id="3",
            object_repr="Daftar 3",
            after={"selected": 120, "fiscal_year": 2027},
        )
        record(
            by=None,
            action=Action.WORKERS_IMPORTED,
            object_type="registry.importbatch",
            object_repr="dtks.xlsx",
            after={"rows_skipped": 2, "rows_total": 10, "interrupted": False},
        )
        target = admin(username="target")
        record(
            by=None,
            action=Action.USER_UPDATED,
            obj=target,
            before={"role": "bpjs"},
            after={"role": "pimpinan"},
        )


@pytest.mark.usefixtures("events")
def test_the_audit_page_shows_indonesian_actions_objects_and_field_names(client: Client) -> None:
    client.force_login(auditor())
    text = _visible_text(client.get(URL).content.decode())
    for code in ("list_approved", "workers_imported", "user_updated"):
        assert code not in text
    assert "targeting.beneficiarylist" not in text and "registry.importbatch" not in text
    assert "rows_skipped" not in text and "rows_total" not in text and "fiscal_year" not in text
    assert "Daftar disetujui" in text  # Action.LIST_APPROVED
    assert "daftar penerima #3" in text  # the model's verbose name
    assert "baris dilewati" in text and "baris dalam berkas" in text and "tahun anggaran" in text
    assert "tidak" in text  # interrupted: false
    assert "peran" in text and "Pimpinan" in text  # a field's verbose name, a choice's label


@pytest.mark.usefixtures("events")
def test_the_action_and_object_filters_offer_names_not_codes(client: Client) -> None:
    client.force_login(auditor())
    response = client.get(URL, {"object_type": "targeting.beneficiarylist"})
    assert [row.event.action for row in response.context["rows"]] == ["list_approved"]
    html = response.content.decode()
    assert '<option value="list_approved">Daftar disetujui</option>' in html
    assert '<option value="targeting.beneficiarylist" selected>daftar penerima</option>' in html


@pytest.mark.usefixtures("events")
def test_the_export_shows_the_same_names(client: Client) -> None:
    client.force_login(auditor())
    response = client.get(reverse("audit:event-export"), {"action": "list_approved"})
    sheet = pl.read_excel(io.BytesIO(response.getvalue()))
    row = sheet.row(0)
    assert (row[2], row[3]) == ("Daftar disetujui", "daftar penerima")
    assert "tahun anggaran:  → 2027" in row[6] and "fiscal_year" not in row[6]


def test_a_key_without_a_model_or_label_stays_as_stored() -> None:
    assert key_label("", "something_new") == "something_new"
    assert model_label("gone.model") == "gone.model"
    assert key_label("registry.importbatch", "rows_skipped") == "baris dilewati"
