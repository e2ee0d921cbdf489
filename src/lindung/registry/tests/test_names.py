"""registry.names: the tokens the worker search matches (pure functions, no database)."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lindung.registry.names import (
    TITLES,
    VARIANTS,
    name_tokens,
    query_words,
    word_token,
    words_of,
)

names = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs", "Mn"]), max_size=60
)
lombok_words = st.sampled_from(
    [
        "muhammad", "moh", "abdul", "fahrurrozi", "siti", "baiq", "lalu", "h", "hj", "zainal",
        "nurhasanah", "ahmad", "achmad", "amaq", "inaq", "s.pd", "yusuf", "sahwan", "ma'ruf",
    ]
)  # fmt: skip


def _matches(query: str, name: str) -> bool:
    """What the search does in SQL: every query word has a prefix that starts a token."""
    tokens = name_tokens(name)
    return all(any(t.startswith(p) for t in tokens for p in ps) for ps in query_words(query))


@given(names)
def test_every_token_is_its_own_token(name: str) -> None:
    tokens = name_tokens(name)
    assert [word_token(t) for t in tokens] == tokens
    assert len(set(tokens)) == len(tokens)


@given(names)
def test_case_and_punctuation_do_not_matter(name: str) -> None:
    assume(name.upper().lower() == name.lower())  # not a dotless i, whose capital is "I"
    assert name_tokens(name.upper()) == name_tokens(name.lower())
    assert name_tokens(name.replace(".", " . ").replace(",", ";")) == name_tokens(name)


@given(names)
def test_a_name_with_a_letter_or_digit_has_a_token(name: str) -> None:
    assert bool(name_tokens(name)) == bool(words_of(name))


@given(st.lists(lombok_words, min_size=1, max_size=4))
def test_a_name_is_found_by_its_own_words_in_any_order(words: list[str]) -> None:
    name = " ".join(words)
    assert _matches(" ".join(reversed(words)), name)
    for word in words:
        assert _matches(word, name) or not query_words(word)


@given(st.sampled_from(VARIANTS).flatmap(lambda family: st.tuples(*[st.sampled_from(family)] * 2)))
def test_variants_of_a_name_have_one_token(pair: tuple[str, str]) -> None:
    a, b = pair
    assert name_tokens(a) == name_tokens(b)


@pytest.mark.parametrize(
    "spellings",
    [
        ["Muhammad", "Muhamad", "Mohammad", "Mohamad", "Muhammat", "Moh.", "Muh.", "M."],
        ["Abdul", "Abd.", "ABDUL"],
        ["Ahmad", "Achmad", "Akhmad"],
        ["Fahrurrozi", "Fakhrurrozi", "Fahrurozi", "Fachrurrozi", "Pahrurrozi"],
        ["Zainuddin", "Zainudin", "Jainudin"],
        ["Soekarno", "Sukarno"],
        ["Syamsul", "Samsul"],
        ["Ma'ruf", "Maruf", "Ma`ruf"],
        ["Fatimah", "Fathimah"],
    ],
)
def test_common_lombok_spellings_share_a_token(spellings: list[str]) -> None:
    assert len({tuple(name_tokens(s)) for s in spellings}) == 1


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("H. Moh. Fakhrurrozi, S.Pd", ["muhamad", "pahruroji"]),
        ("Abdul Fahrurrozi", ["abdul", "pahruroji"]),
        ("Lalu Muhammad Zohri", ["muhamad", "johri"]),
        ("Baiq Siti Aminah", ["siti", "aminah"]),
        ("Hj. Inaq Rumini", ["rumini"]),
        ("Amaq Sahwan", ["sahwan"]),
        ("Ust. Drs. Ahmad", ["ahmad"]),
        ("Lalu", ["lalu"]),  # nothing but a title: kept, so that every name has a token
        ("Hj.", ["hj"]),
        ("Siti  Siti", ["siti"]),
    ],
)
def test_titles_and_degrees_are_dropped(name: str, tokens: list[str]) -> None:
    assert name_tokens(name) == tokens


@pytest.mark.parametrize("title", sorted(TITLES))
def test_a_title_before_a_name_changes_nothing(title: str) -> None:
    assert name_tokens(f"{title} Sahwan") == name_tokens("Sahwan")


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("fahrurrozi", "Abdul Fahrurrozi"),
        ("fahru", "Abdul Fahrurrozi"),
        ("fak", "Abdul Fakhrurrozi"),
        ("fakhrurozi abdul", "Abdul Fahrurrozi"),
        ("muhamad", "Muhammad Zohri"),
        ("muhammad", "M. Zohri"),
        ("moha", "Muhammad Zohri"),
        ("zohri moh", "H. Lalu Muhammad Zohri"),
        ("lalu zohri", "Muhammad Zohri"),  # titles in the search are ignored too
        ("achmad", "Ahmad Yani"),
        ("siti ami", "Baiq Siti Aminah"),
    ],
)
def test_a_search_finds_the_name(query: str, name: str) -> None:
    assert _matches(query, name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("fahrurrozi", "Abdul Rozi"),
        ("siti rahmah", "Siti Aminah"),  # every word must match
        ("ami", "Samiun"),  # the start of a word, not its middle
    ],
)
def test_a_search_does_not_find_other_names(query: str, name: str) -> None:
    assert not _matches(query, name)


def test_a_search_of_titles_alone_has_no_words() -> None:
    assert query_words("Lalu") == []
    assert query_words("H. Hj.") == []
    assert query_words(" .,- ") == []
