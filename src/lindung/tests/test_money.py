"""Money as people type it: parse_rupiah, terbilang and the RupiahField."""

import re
from collections.abc import Iterator

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from lindung.formats import MAX_RUPIAH, format_number, format_rupiah, parse_rupiah, terbilang
from lindung.ui.fields import RupiahField, RupiahInput

amounts = st.integers(min_value=0, max_value=MAX_RUPIAH)
UNITS = {"rb": 10**3, "ribu": 10**3, "jt": 10**6, "juta": 10**6, "M": 10**9, "miliar": 10**9}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are matched by their English source text (one test checks the Indonesian)."""
    with translation.override("en"):
        yield


@given(amounts, st.sampled_from(["{}", "Rp{}", "Rp {}", "Rp. {}", "{},-", "Rp{},00"]))
def test_any_amount_written_the_indonesian_way_reads_back(amount: int, shape: str) -> None:
    assert parse_rupiah(shape.format(format_number(amount))) == amount


@given(amounts)
def test_plain_digits_and_formatted_rupiah_read_back(amount: int) -> None:
    assert parse_rupiah(str(amount)) == amount
    assert parse_rupiah(format_rupiah(amount)) == amount


@given(st.integers(min_value=0, max_value=999_999), st.sampled_from(sorted(UNITS)))
def test_a_whole_number_of_a_unit_is_multiplied(number: int, unit: str) -> None:
    expected = number * UNITS[unit]
    assert parse_rupiah(f"{number} {unit}") == expected
    assert parse_rupiah(f"Rp{format_number(number)}{unit}") == expected


@given(
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=99),
    st.sampled_from(["juta", "jt", "miliar", "M"]),
)
def test_decimals_with_a_comma_count_in_the_unit(whole: int, cents: int, unit: str) -> None:
    decimals = f"{cents:02d}"
    assert parse_rupiah(f"{whole},{decimals} {unit}") == (whole * 100 + cents) * UNITS[unit] // 100


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("2.500.000", 2_500_000),
        ("Rp 2.500.000", 2_500_000),
        ("Rp2,5 juta", 2_500_000),
        ("12 M", 12_000_000_000),
        ("12M", 12_000_000_000),
        ("12 miliar", 12_000_000_000),
        ("1,5 miliar", 1_500_000_000),
        ("750 rb", 750_000),
        ("750 ribu", 750_000),
        ("5 JT", 5_000_000),
        ("1.500 juta", 1_500_000_000),
        ("2,500,000", 2_500_000),
        ("2,500,000.00", 2_500_000),
        ("Rp 2.500.000,-", 2_500_000),
        ("\u00a0Rp\u00a02.500.000 ", 2_500_000),
        ("0", 0),
    ],
)
def test_it_reads_money_as_people_type_it(text: str, amount: int) -> None:
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an amount in rupiah."),
        ("-5.000", "cannot be negative"),
        ("Rp -5.000", "cannot be negative"),
        ("2,5", "fraction of a rupiah"),
        ("1,2345 ribu", "fraction of a rupiah"),
        ("2.5", "separators in “2.5” are unclear"),
        ("2.5 juta", "separators in “2.5 juta” are unclear"),
        ("2,500", "separators in “2,500” are unclear"),
        ("1.2.3", "are unclear"),
        ("12 X", "Unknown unit “X”"),
        ("12 dolar", "Unknown unit “dolar”"),
        ("dua juta", "is not an amount of rupiah"),
        ("2 juta 500 ribu", "is not an amount of rupiah"),
        ("1.000.000.000.000.000", "too large: at most Rp999.999.999.999.999"),
        ("1000 T", "too large"),
    ],
)
def test_it_refuses_what_it_cannot_read_and_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        parse_rupiah(text)


def test_the_messages_are_indonesian() -> None:
    with translation.override("id"), pytest.raises(ValueError, match="tidak boleh negatif"):
        parse_rupiah("-1")
    with translation.override("id"), pytest.raises(ValueError, match="Satuan “X” tidak dikenal"):
        parse_rupiah("12 X")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (1, "satu rupiah"),
        (10, "sepuluh rupiah"),
        (11, "sebelas rupiah"),
        (19, "sembilan belas rupiah"),
        (100, "seratus rupiah"),
        (115, "seratus lima belas rupiah"),
        (1_000, "seribu rupiah"),
        (1_001, "seribu satu rupiah"),
        (21_000, "dua puluh satu ribu rupiah"),
        (750_000, "tujuh ratus lima puluh ribu rupiah"),
        (2_001_500, "dua juta seribu lima ratus rupiah"),
        (2_500_000, "dua juta lima ratus ribu rupiah"),
        (1_500_000_000, "satu miliar lima ratus juta rupiah"),
        (12_000_000_000, "dua belas miliar rupiah"),
        (3_000_000_000_000, "tiga triliun rupiah"),
    ],
)
def test_terbilang_writes_the_amount_in_indonesian_words(amount: int, words: str) -> None:
    assert terbilang(amount) == words


@given(amounts)
def test_terbilang_uses_only_indonesian_number_words(amount: int) -> None:
    vocabulary = {
        *["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"],
        *[
            "sepuluh",
            "sebelas",
            "belas",
            "puluh",
            "seratus",
            "ratus",
            "seribu",
            "ribu",
            "juta",
            "miliar",
            "triliun",
        ],
        "rupiah",
    }
    words = terbilang(amount).split()
    assert set(words) <= vocabulary
    assert words[-1] == "rupiah" and ("nol" not in words or amount == 0)
    # a thousand on its own is "seribu", also after millions: "dua juta seribu", never "satu ribu"
    assert re.search(r"(^|juta |miliar |triliun )satu ribu", terbilang(amount)) is None


def test_terbilang_refuses_negative_and_too_large_amounts() -> None:
    with pytest.raises(ValueError, match="negative"):
        terbilang(-1)
    with pytest.raises(ValueError, match="too large"):
        terbilang(MAX_RUPIAH + 1)


class BudgetForm(forms.Form):
    budget = RupiahField(label="Budget", words=True)
    income = RupiahField(label="Income", required=False, min_value=100_000)


@pytest.mark.parametrize(
    ("text", "amount"), [("2.500.000", 2_500_000), ("12 M", 12_000_000_000), ("750 rb", 750_000)]
)
def test_the_field_gives_whole_rupiah(text: str, amount: int) -> None:
    form = BudgetForm({"budget": text, "income": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"budget": amount, "income": None}


def test_the_field_says_what_is_wrong() -> None:
    form = BudgetForm({"budget": "12 X", "income": "50.000"})
    assert not form.is_valid()
    assert "Unknown unit “X”" in form.errors["budget"][0]
    assert form.errors["income"] == ["The amount must be at least Rp100.000."]
    assert BudgetForm({"budget": ""}).errors["budget"] == ["This field is required."]


def test_the_widget_is_a_numeric_text_input_with_separators_and_words() -> None:
    html = str(BudgetForm(initial={"budget": 12_000_000_000})["budget"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html and "data-rupiah" in html
    assert 'value="12.000.000.000"' in html
    assert "dua belas miliar rupiah" in html


def test_the_words_follow_the_typed_value_and_vanish_when_it_cannot_be_read() -> None:
    assert "dua belas miliar rupiah" in str(BudgetForm({"budget": "12 M"})["budget"])
    html = str(BudgetForm({"budget": "12 X"})["budget"])
    assert 'value="12 X"' in html and "rupiah</span>" not in html


def test_a_plain_money_input_has_no_words() -> None:
    html = RupiahInput().render("income", 1_500_000)
    assert 'value="1.500.000"' in html and "data-money-words" not in html


def test_an_unchanged_amount_is_not_a_change() -> None:
    field = RupiahField()
    assert not field.has_changed(2_500_000, "2.500.000")
    assert field.has_changed(2_500_000, "2,6 juta")
