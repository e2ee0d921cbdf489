"""The national rules page shows each version's note in the reader's language; the legal
citations stay as the regulation writes them."""

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts import services as accounts
from lindung.accounts.tests.factories import admin
from lindung.rules import national

pytestmark = pytest.mark.django_db

LIST = reverse("rules:version-list")


def test_every_version_in_the_file_has_an_indonesian_note() -> None:
    for version in national.file_versions():
        assert version.rules.note_id, version.rules.version
        assert version.rules.note_id != version.rules.note


def test_the_rules_page_shows_the_notes_in_indonesian() -> None:
    client = Client()  # no language cookie (this folder's `client` has one)
    client.force_login(admin())
    html = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "PP 44/2015 sebagaimana telah diubah dengan PP 82/2019; tanpa potongan iuran" in html
    assert "potongan 50% iuran JKK dan JKM" in html
    assert "as amended by" not in html and "50% off" not in html


def test_a_user_who_chose_english_reads_the_english_notes() -> None:
    user = admin()
    accounts.set_language(by=user, user=user, language="en")
    client = Client()
    client.force_login(user)
    html = client.get(LIST).content.decode()
    assert "PP 44/2015 as amended by PP 82/2019; no contribution reduction" in html
    assert "sebagaimana" not in html


def test_the_copy_offered_for_a_new_version_leaves_the_indonesian_note_out(
    client: Client,
) -> None:
    client.force_login(admin())
    text = client.get(reverse("rules:version-add")).context["form"]["text"].value()
    assert "note_id" not in text and 'note = "PP 50/2025' in text
