"""Finding regions by the names spreadsheets give them (regions.lookup, regions.names)."""

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.regions.lookup import (
    FUZZY_ACCEPT_SCORE,
    Match,
    RegionIndex,
    RegionRow,
    find_region,
)
from lindung.regions.models import Region
from lindung.regions.names import normalise_name

LEVELS = st.integers(min_value=1, max_value=4)
LATIN = string.ascii_letters + string.digits + "ÀÉÍÓÚàéíóúÑñÇç"
WORDS = st.lists(st.text(LATIN, min_size=1, max_size=12), min_size=1, max_size=5)
SEPARATORS = st.sampled_from([" ", "  ", ".", ". ", ", ", "-", "'", "\t", "/"])
DESA_PREFIXES = ["Desa", "DESA", "desa.", "Ds.", "Kel.", "KEL", "Kelurahan"]


# --- normalise_name ---------------------------------------------------------------------------


@given(st.text(), LEVELS)
def test_normalising_twice_changes_nothing(text: str, level: int) -> None:
    key = normalise_name(text, level)
    assert normalise_name(key, level) == key


@given(WORDS, LEVELS)
def test_normalising_ignores_case(words: list[str], level: int) -> None:
    name = " ".join(words)
    assert normalise_name(name.upper(), level) == normalise_name(name.lower(), level)


@given(WORDS, st.data())
def test_normalising_ignores_spaces_and_punctuation_between_words(
    words: list[str], data: st.DataObject
) -> None:
    written = data.draw(SEPARATORS).strip()
    for word in words:
        written += word + data.draw(SEPARATORS)
    assert normalise_name(written, 4) == normalise_name(" ".join(words), 4)


@given(WORDS, st.sampled_from(DESA_PREFIXES), SEPARATORS)
def test_normalising_ignores_a_level_word_before_the_name(
    words: list[str], prefix: str, separator: str
) -> None:
    name = " ".join(words)
    assert normalise_name(prefix + separator + name, 4) == normalise_name(name, 4)


@pytest.mark.parametrize(
    ("text", "level", "key"),
    [
        ("Kec. Sakra  Timur", 3, "sakra timur"),
        ("kec.sakra  timur", 3, "sakra timur"),
        ("DESA PRINGGABAYA", 4, "pringgabaya"),
        ("Kel. Selong", 4, "selong"),
        ("Desa Kampung Baru", 4, "baru"),
        ("Kampung Baru", 4, "baru"),
        ("Desa", 4, "desa"),
        ("Kabupaten Lombok Timur", 2, "lombok timur"),
        ("Kota Mataram", 2, "kota mataram"),
    ],
)
def test_it_normalises_names_as_spreadsheets_write_them(text: str, level: int, key: str) -> None:
    assert normalise_name(text, level) == key


# --- find_region ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "level", "parent", "code"),
    [
        ("Kec. Sakra Timur", 3, "52.03", "52.03.18"),
        ("kec.sakra  timur", 3, "52.03", "52.03.18"),
        ("SAKRA", 3, "52.03", "52.03.02"),
        ("DESA PRINGGABAYA", 4, "52.03.08", "52.03.08.2006"),
        ("Kel. Selong", 4, "52.03.07", "52.03.07.1002"),
        ("Lombok Timur", 2, "52", "52.03"),
        ("Kab. Lombok Timur", 2, None, "52.03"),
    ],
)
def test_it_finds_a_region_however_its_name_is_written(
    text: str, level: int, parent: str | None, code: str
) -> None:
    result = find_region(text, level=level, parent=parent)
    assert (result.match, result.code) == (Match.EXACT, code)


@pytest.mark.django_db
def test_it_accepts_a_dotted_code_of_the_level_asked_for() -> None:
    assert find_region("52.03.07", level=3).match == Match.CODE
    assert find_region(" 52.03.07.1001 ", level=4, parent="52.03.07").code == "52.03.07.1001"
    assert find_region("52.03.07.1001", level=4, parent="52.03.08").match == Match.NOT_FOUND
    assert find_region("52.03.07", level=4, parent="52.03.07").match == Match.NOT_FOUND


@pytest.mark.django_db
def test_it_does_not_read_digits_without_dots_as_a_code() -> None:
    # BPS writes Jerowaru as 5203011; Kemendagri's Jerowaru is 52.03.20.
    assert find_region("520320", level=3).match == Match.NOT_FOUND
    assert find_region("5203011", level=3).match == Match.NOT_FOUND


@pytest.mark.django_db
def test_it_uses_the_desa_or_kel_prefix_to_pick_between_namesakes() -> None:
    # In Kota Ambon, kecamatan Nusaniwe has a kelurahan and a desa called Nusaniwe.
    assert find_region("Kel. Nusaniwe", level=4, parent="81.71.01").code == "81.71.01.1006"
    assert find_region("DESA NUSANIWE", level=4, parent="81.71.01").code == "81.71.01.2003"
    result = find_region("Nusaniwe", level=4, parent="81.71.01")
    assert result.match == Match.AMBIGUOUS
    assert [(c.code, c.type) for c in result.candidates] == [
        ("81.71.01.1006", "kelurahan"),
        ("81.71.01.2003", "desa"),
    ]


@pytest.mark.django_db
def test_it_reports_two_desa_with_the_same_name_as_ambiguous() -> None:
    result = find_region("Desa Tounelet Satu", level=4, parent="71.02.11")
    assert result.match == Match.AMBIGUOUS
    assert not result.found
    assert [c.code for c in result.candidates] == ["71.02.11.2003", "71.02.11.2018"]


@pytest.mark.django_db
def test_it_prefers_the_name_written_out_in_full() -> None:
    # Klungkung has both "Gelgel" and "Kampung Gelgel"; both have the key "gelgel".
    assert find_region("Kampung Gelgel", level=4, parent="51.05.03").code == "51.05.03.2004"
    assert find_region("Desa Gelgel", level=4, parent="51.05.03").code == "51.05.03.2003"


@pytest.mark.django_db
def test_it_searches_only_within_the_given_areas() -> None:
    assert find_region("Selong", level=4).match == Match.AMBIGUOUS  # Jakarta has one too
    assert find_region("Selong", level=4, within=["52.03"]).code == "52.03.07.1002"
    assert find_region("52.03.07.1002", level=4, within=["31"]).match == Match.NOT_FOUND
    assert find_region("Selong", level=4, within=[]).match == Match.NOT_FOUND


@pytest.mark.django_db
def test_it_takes_a_close_misspelling_as_a_fuzzy_match() -> None:
    result = find_region("Pringgabya", level=4, parent="52.03.08")
    assert (result.match, result.code) == (Match.FUZZY, "52.03.08.2006")
    assert result.candidates[0].score >= FUZZY_ACCEPT_SCORE
    assert result.candidates[1].name == "Pringgabaya Utara"


@pytest.mark.django_db
def test_it_suggests_siblings_best_first_when_nothing_is_close_enough() -> None:
    result = find_region("Sakra Tmr", level=3, parent="52.03")
    assert result.match == Match.NOT_FOUND
    assert [c.name for c in result.candidates] == ["Sakra Timur", "Sakra", "Sakra Barat"]
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert find_region("Xyz", level=3, parent="52.03").candidates == ()


@pytest.mark.django_db
def test_an_exact_match_takes_one_query_and_a_miss_two(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(1):
        find_region("Kec. Selong", level=3, parent="52.03")
    with django_assert_num_queries(2):
        find_region("Selog", level=3, parent="52.03")


# --- RegionIndex ------------------------------------------------------------------------------


def _rows(*names: str) -> list[RegionRow]:
    return [
        (f"52.03.07.20{i:02}", name, normalise_name(name, 4), 4, "desa", "52.03.07")
        for i, name in enumerate(names, start=1)
    ]


def test_it_does_not_guess_between_two_equally_close_names() -> None:
    index = RegionIndex(_rows("Sukamulia Timur", "Sukamulia Timor"))
    result = index.resolve("Sukamulia Timr", level=4, parent="52.03.07")
    assert result.match == Match.NOT_FOUND
    assert {c.name for c in result.candidates} == {"Sukamulia Timur", "Sukamulia Timor"}


def test_it_takes_a_name_written_with_other_spaces_as_a_fuzzy_match() -> None:
    index = RegionIndex(_rows("Pringgabaya", "Pringgabaya Utara"))
    result = index.resolve("Pringga Baya", level=4, parent="52.03.07")
    assert (result.match, result.region and result.region.score) == (Match.FUZZY, 100.0)


def test_it_finds_nothing_for_an_empty_name() -> None:
    index = RegionIndex(_rows("Pancor"))
    assert index.resolve("  ", level=4).match == Match.NOT_FOUND
    assert index.suggest("", level=4) == []


@pytest.fixture(scope="module")
def lombok_timur(django_db_setup: None, django_db_blocker: Any) -> tuple[RegionIndex, list[Any]]:
    with django_db_blocker.unblock():
        desa = list(Region.objects.within(["52.03"]).filter(level=4).values_list("code", "name"))
        return RegionIndex.for_areas(["52.03"]), desa


@pytest.mark.django_db
def test_the_index_agrees_with_find_region_and_needs_no_queries(
    lombok_timur: tuple[RegionIndex, list[Any]], django_assert_num_queries: Any
) -> None:
    index, desa = lombok_timur
    expected = [find_region(name, level=4, within=["52.03"]) for _code, name in desa]
    with django_assert_num_queries(0):
        found = [index.resolve(name, level=4) for _code, name in desa]
    assert found == expected
    assert [result.code for result in found] == [code for code, _name in desa]


@given(data=st.data())
def test_any_lombok_timur_desa_resolves_however_it_is_written(
    lombok_timur: tuple[RegionIndex, list[Any]], data: st.DataObject
) -> None:
    index, desa = lombok_timur
    code, name = data.draw(st.sampled_from(desa))
    upper = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    cased = "".join(c.upper() if up else c.lower() for c, up in zip(name, upper, strict=True))
    written = data.draw(st.sampled_from(["", *DESA_PREFIXES])) + data.draw(SEPARATORS)
    written += "".join(word + data.draw(SEPARATORS) for word in cased.split(" "))
    parent = data.draw(st.sampled_from([None, code.rsplit(".", 1)[0]]))
    assert index.resolve(written, level=4, parent=parent).code == code


def test_resolving_the_same_text_twice_returns_the_remembered_result() -> None:
    index = RegionIndex(_rows("Pancor"))
    first = index.resolve("desa pancor", level=4)
    assert index.resolve("desa pancor", level=4) is first
