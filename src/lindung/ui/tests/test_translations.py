"""Indonesian is the default language: every message in the code must have a translation."""

import polib
import pytest
from django.utils import translation

from lindung.ui.catalogue import MO_PATH, PO_PATH, extract, placeholders


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_every_message_in_the_code_has_an_indonesian_translation(
    catalogue: polib.POFile,
) -> None:
    translated = {
        (e.msgctxt, e.msgid, e.msgid_plural or None)
        for e in catalogue
        if all(_translations(e)) and "fuzzy" not in e.flags and not e.obsolete
    }
    missing = {key: where for key, where in extract().items() if key not in translated}
    assert not missing, "untranslated (run `make messages`, then translate):\n" + "\n".join(
        f"  {where[0]}: {msgid!r}" for (_ctx, msgid, _pl), where in sorted(missing.items(), key=str)
    )


def test_translations_keep_every_placeholder(catalogue: polib.POFile) -> None:
    for entry in catalogue:
        for text in _translations(entry):
            assert placeholders(text) == placeholders(entry.msgid), entry.msgid


def test_the_compiled_catalogue_matches_the_po_file(catalogue: polib.POFile) -> None:
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(MO_PATH))
    }
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        expected = entry.msgstr_plural if entry.msgid_plural else entry.msgstr
        got = compiled.get((entry.msgctxt, entry.msgid))
        if entry.msgid_plural and isinstance(got, dict):
            got = {int(k): v for k, v in got.items()}
            expected = {int(k): v for k, v in expected.items()}
        assert got == expected, f"django.mo is stale for {entry.msgid!r}: run `make messages`"


def test_django_serves_the_indonesian_catalogue() -> None:
    with translation.override("id"):
        assert translation.gettext("Log out") == "Keluar"
        assert translation.pgettext("month", "May") == "Mei"
    with translation.override("en"):
        assert translation.gettext("Log out") == "Log out"
