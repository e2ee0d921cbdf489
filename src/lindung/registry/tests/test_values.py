"""The column parsers of the import pipeline, on small inline Series (no database)."""

import datetime
import re
from collections.abc import Callable

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.id import nik as stdnum_nik

from lindung.registry.pipeline import values
from lindung.registry.pipeline.values import (
    clean_nik,
    clean_no_kk,
    clean_phone,
    nik_facts,
    parse_date,
    parse_desil,
    parse_flag,
    parse_income,
    parse_occupation,
    parse_sex,
    person_name,
    split_place_date,
)

TODAY = datetime.date(2025, 6, 1)
NIK = "5203072805800001"  # Kec. 52.03.07, a man born 28-05-1980, serial 0001
NIK_WOMAN = "5203076805800002"  # the same day for a woman: 28 + 40


def text(*cells: str | None) -> pl.Series:
    return pl.Series(list(cells), dtype=pl.String)


def nik(cell: str | None, *, numeric: bool = False) -> dict[str, str | None]:
    return clean_nik(text(cell), pl.Series([numeric])).row(0, named=True)


def niks(cells: list[str], *, numeric: bool = False) -> pl.DataFrame:
    return clean_nik(pl.Series(cells, dtype=pl.String), pl.Series([numeric] * len(cells)))


# --- NIK -----------------------------------------------------------------------------------


def test_it_accepts_a_valid_nik() -> None:
    assert nik(NIK) == {"nik": NIK, "nik_error": None, "nik_warning": None}
    assert nik(NIK_WOMAN)["nik_error"] is None


@pytest.mark.parametrize("cell", [None, "", "   ", "-", "'", '""'])
def test_it_reports_an_empty_nik_as_missing(cell: str | None) -> None:
    assert nik(cell) == {"nik": None, "nik_error": "NIK_MISSING", "nik_warning": None}


@pytest.mark.parametrize(
    "cell",
    [
        " 5203072805800001 ",
        "5203 0728 0580 0001",
        "5203.0728.0580.0001",
        "5203-0728-0580-0001",
        "'5203072805800001",
        "`5203072805800001",
        '"5203072805800001"',
        "“5203072805800001”",
        "52.03.07 280580 0001",
        "\u00a05203072805800001\t",
    ],
)
def test_it_cleans_spaces_dots_dashes_quotes_and_apostrophes(cell: str) -> None:
    assert nik(cell) == {"nik": NIK, "nik_error": None, "nik_warning": None}


@pytest.mark.parametrize("cell", ["520307280580001", "52030728058000011", "5203O72805800001"])
def test_it_rejects_nik_that_is_not_16_digits(cell: str) -> None:
    assert nik(cell) == {"nik": cell, "nik_error": "NIK_INVALID", "nik_warning": None}


@pytest.mark.parametrize(
    "cell",
    [
        "5203070005800001",  # day 00
        "5203073205800001",  # day 32
        "5203074005800001",  # day 40 (women: 0)
        "5203077205800001",  # day 72 (women: 32)
        "5203073102800001",  # 31 February
        "5203073104800001",  # 31 April
        "5203072800800001",  # month 00
        "5203072813800001",  # month 13
        "5203072902010001",  # 29-02-01: neither 1901 nor 2001 is a leap year
        "5203076902010001",  # the same for a woman
    ],
)
def test_it_rejects_nik_with_an_impossible_birth_date(cell: str) -> None:
    assert nik(cell)["nik_error"] == "NIK_INVALID"


@pytest.mark.parametrize("yy", ["00", "04", "80", "96"])
def test_it_accepts_29_february_in_a_leap_year_of_either_century(yy: str) -> None:
    # 1900 is no leap year but 2000 is, so 29-02-00 is valid too.
    assert nik(f"5203072902{yy}0001")["nik_error"] is None


@pytest.mark.parametrize("province", ["00", "10", "20", "37", "66", "95", "99"])
def test_it_rejects_an_unknown_province(province: str) -> None:
    assert nik(province + NIK[2:])["nik_error"] == "NIK_INVALID"


@pytest.mark.parametrize("province", sorted(values.PROVINCES_MISSING_FROM_STDNUM))
def test_it_accepts_kemendagri_provinces_that_stdnum_lacks(province: str) -> None:
    # Kalimantan Utara (65) and Papua's 2022 split (92, 93): stdnum's list predates them.
    assert not stdnum_nik.is_valid(province + NIK[2:])
    assert nik(province + NIK[2:])["nik_error"] is None


def test_it_rejects_serial_0000_that_stdnum_accepts() -> None:
    assert stdnum_nik.is_valid("5203072805800000")
    assert nik("5203072805800000")["nik_error"] == "NIK_INVALID"


@pytest.mark.parametrize("day", ["81", "99"])
def test_it_rejects_a_day_above_71_that_stdnum_reads_modulo_40(day: str) -> None:
    cell = f"520307{day}05800001"
    assert stdnum_nik.is_valid(cell)
    assert nik(cell)["nik_error"] == "NIK_INVALID"


def test_it_rejects_numeric_nik_that_ends_in_zero() -> None:
    cell = "5203072805800010"
    assert nik(cell, numeric=True) == {
        "nik": cell,
        "nik_error": "NIK_EXCEL_PRECISION",
        "nik_warning": None,
    }


def test_it_accepts_the_same_nik_typed_as_text() -> None:
    assert nik("5203072805800010")["nik_error"] is None


def test_it_accepts_numeric_nik_not_ending_in_zero_with_a_warning() -> None:
    assert nik(NIK, numeric=True) == {
        "nik": NIK,
        "nik_error": None,
        "nik_warning": "NIK_EXCEL_PRECISION",
    }


def test_an_invalid_numeric_nik_is_invalid_without_warning() -> None:
    assert nik("5203073102800001", numeric=True) == {
        "nik": "5203073102800001",
        "nik_error": "NIK_INVALID",
        "nik_warning": None,
    }


def test_it_reads_a_whole_float_as_a_number_cell() -> None:
    assert nik(NIK + ".0") == {"nik": NIK, "nik_error": None, "nik_warning": "NIK_EXCEL_PRECISION"}


def test_it_expands_scientific_notation_exactly() -> None:
    # A float would round 5.203072805800001e15 to ...0000 or ...0002.
    assert nik("5.203072805800001e+15", numeric=True)["nik"] == NIK
    assert nik("5,203072805800001E+15")["nik"] == NIK


def test_scientific_notation_with_lost_digits_is_excel_precision() -> None:
    assert nik("5.20307280580e+15") == {
        "nik": "5203072805800000",
        "nik_error": "NIK_EXCEL_PRECISION",
        "nik_warning": None,
    }


def test_it_checks_a_whole_column_row_by_row() -> None:
    frame = clean_nik(
        text(NIK, None, "123", "5203072805800010", NIK_WOMAN),
        pl.Series([False, False, False, True, True]),
    )
    assert frame.columns == ["nik", "nik_error", "nik_warning"]
    assert frame.dtypes == [pl.String, pl.String, pl.String]
    assert frame.get_column("nik_error").to_list() == [
        None,
        "NIK_MISSING",
        "NIK_INVALID",
        "NIK_EXCEL_PRECISION",
        None,
    ]
    assert frame.get_column("nik_warning").to_list() == [
        None,
        None,
        None,
        None,
        "NIK_EXCEL_PRECISION",
    ]


def _nik_strings() -> st.SearchStrategy[str]:
    """Mostly NIK-shaped numbers (random parts near the limits), some plain 16-digit noise."""
    shaped = st.builds(
        "{:02d}{:04d}{:02d}{:02d}{:02d}{:04d}".format,
        st.integers(0, 99),
        st.integers(0, 9999),
        st.integers(0, 99),
        st.integers(0, 13),
        st.integers(0, 99),
        st.integers(0, 9999) | st.just(0),
    )
    return shaped | st.text("0123456789", min_size=16, max_size=16)


def _stdnum_verdict_with_our_differences(number: str) -> bool:
    """`stdnum.id.nik.is_valid` with the documented differences of `_with_nik_parts`."""
    if number[:2] in values.PROVINCES_MISSING_FROM_STDNUM:
        valid = stdnum_nik.is_valid("52" + number[2:])
    else:
        valid = stdnum_nik.is_valid(number)
    return valid and number[12:] != "0000" and int(number[6:8]) <= 71


@given(st.lists(_nik_strings(), min_size=1, max_size=40))
def test_it_agrees_with_stdnum_on_any_16_digits(numbers: list[str]) -> None:
    errors = niks(numbers).get_column("nik_error").to_list()
    assert [error is None for error in errors] == [
        _stdnum_verdict_with_our_differences(number) for number in numbers
    ]


def _valid_niks() -> st.SearchStrategy[str]:
    return st.builds(
        lambda province, area, born, woman, serial: (
            f"{province}{area:04d}{born.day + 40 * woman:02d}{born:%m%y}{serial:04d}"
        ),
        st.sampled_from(sorted(values.NIK_PROVINCES)),
        st.integers(0, 9999),
        st.dates(datetime.date(1930, 1, 1), datetime.date(2015, 12, 31)),
        st.booleans(),
        st.integers(1, 9999),
    )


@given(
    _valid_niks(),
    st.lists(st.sampled_from([" ", ".", "-", "  ", " - "]), min_size=15, max_size=15),
    st.lists(st.booleans(), min_size=15, max_size=15),
    st.sampled_from(["", "'", "`", '"', " "]),
)
def test_formatting_noise_around_a_valid_nik_cleans_back_to_it(
    number: str, separators: list[str], where: list[bool], quote: str
) -> None:
    noisy = number[0] + "".join(
        (separator if put else "") + digit
        for digit, separator, put in zip(number[1:], separators, where, strict=True)
    )
    closing = quote if quote in ('"', " ") else ""
    assert nik(f" {quote}{noisy}{closing} ") == {
        "nik": number,
        "nik_error": None,
        "nik_warning": None,
    }


# --- No. KK --------------------------------------------------------------------------------


def test_it_cleans_the_no_kk_like_a_nik() -> None:
    cleaned = clean_no_kk(
        text("'5203 0728 0580 0001", "5203072805800001.0", None, "123", "5203072805800010"),
        pl.Series([False, True, False, False, True]),
    )
    assert cleaned.to_list() == ["5203072805800001", "5203072805800001", None, None, None]


# --- facts from the NIK --------------------------------------------------------------------


def test_nik_facts_read_birth_date_sex_and_region() -> None:
    facts = nik_facts(text(NIK, NIK_WOMAN), TODAY)
    assert facts.columns == ["nik_birth_date", "nik_sex", "nik_kecamatan", "nik_kabupaten"]
    assert facts.dtypes == [pl.Date, pl.String, pl.String, pl.String]
    assert facts.rows() == [
        (datetime.date(1980, 5, 28), "L", "52.03.07", "52.03"),
        (datetime.date(1980, 5, 28), "P", "52.03.07", "52.03"),
    ]


def test_nik_facts_are_null_for_an_invalid_or_empty_nik() -> None:
    facts = nik_facts(text("5203073102800001", "123", None, "5203072805800000"), TODAY)
    assert facts.rows() == [(None, None, None, None)] * 4


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("280510", datetime.date(2010, 5, 28)),  # 15 on TODAY: 2010
        ("010615", datetime.date(2015, 6, 1)),  # exactly 10 on TODAY: 2015
        ("020615", datetime.date(1915, 6, 2)),  # 9 on TODAY: a century earlier
        ("280520", datetime.date(1920, 5, 28)),
        ("010125", datetime.date(1925, 1, 1)),
        ("280530", datetime.date(1930, 5, 28)),  # 2030 is after TODAY's year
        ("280599", datetime.date(1999, 5, 28)),
    ],
)
def test_nik_facts_choose_the_century_by_age(birth: str, expected: datetime.date) -> None:
    facts = nik_facts(text(f"520307{birth}0001"), TODAY)
    assert facts.get_column("nik_birth_date").to_list() == [expected]


def test_nik_facts_take_the_only_century_where_29_february_exists() -> None:
    # Younger than 10 in 2005, but 29-02-1900 does not exist.
    facts = nik_facts(text("5203072902000001"), datetime.date(2005, 6, 1))
    assert facts.get_column("nik_birth_date").to_list() == [datetime.date(2000, 2, 29)]


# --- dates ---------------------------------------------------------------------------------


def date_of(cell: str | None, today: datetime.date = TODAY) -> dict[str, object]:
    return parse_date(text(cell), today=today).row(0, named=True)


@pytest.mark.parametrize(
    "cell",
    [
        "1980-05-28",
        "1980-05-28 00:00:00",
        "1980-05-28T00:00:00",
        "1980/05/28",
        "29369",
        "29369.0",
        "28-05-1980",
        "28/05/1980",
        "28.05.1980",
        "28 05 1980",
        " 28 - 05 - 1980 ",
        "28/5/80",
        "28-05-80",
        "28 Mei 1980",
        "28-Mei-1980",
        "28 mei 80",
        "28 MEI 1980",
        "28 May 1980",
        "28Mei1980",
        "28/Mei/1980",
    ],
)
def test_it_reads_a_birth_date_written_many_ways(cell: str) -> None:
    assert date_of(cell) == {"date": datetime.date(1980, 5, 28), "date_unreadable": False}


@pytest.mark.parametrize(
    ("name", "month"),
    [
        ("Januari", 1), ("Jan", 1), ("Februari", 2), ("Feb", 2), ("Peb", 2), ("Maret", 3),
        ("Mar", 3), ("April", 4), ("Apr", 4), ("Mei", 5), ("Juni", 6), ("Jun", 6), ("Juli", 7),
        ("Jul", 7), ("Agustus", 8), ("Agu", 8), ("Agt", 8), ("Ags", 8), ("Aug", 8),
        ("September", 9), ("Sep", 9), ("Sept", 9), ("Oktober", 10), ("Okt", 10), ("Oct", 10),
        ("November", 11), ("Nov", 11), ("Nop", 11), ("Desember", 12), ("Des", 12), ("Dec", 12),
    ],
)  # fmt: skip
def test_it_reads_indonesian_and_english_month_names(name: str, month: int) -> None:
    expected = datetime.date(1980, month, 5)
    assert date_of(f"5 {name} 1980")["date"] == expected
    assert date_of(f"05-{name.upper()}.-1980")["date"] == expected


def test_it_reads_day_first_always() -> None:
    assert date_of("05/06/1980")["date"] == datetime.date(1980, 6, 5)
    assert date_of("13/06/1980")["date"] == datetime.date(1980, 6, 13)
    assert date_of("06/13/1980") == {"date": None, "date_unreadable": True}


def test_it_pivots_two_digit_years_on_today() -> None:
    assert date_of("1/2/25")["date"] == datetime.date(2025, 2, 1)
    assert date_of("1/2/26")["date"] == datetime.date(1926, 2, 1)
    assert date_of("1/2/26", datetime.date(2026, 1, 1))["date"] == datetime.date(2026, 2, 1)


def test_it_reads_excel_serials_with_the_1900_leap_year_bug() -> None:
    dates = parse_date(text("1", "59", "60", "61", "73415", "73416", "0"), today=TODAY)
    assert dates.get_column("date").to_list() == [
        datetime.date(1900, 1, 1),
        datetime.date(1900, 2, 28),
        None,  # 29-02-1900, which never was
        datetime.date(1900, 3, 1),
        datetime.date(2100, 12, 31),
        None,  # after 2100
        None,
    ]
    assert dates.get_column("date_unreadable").to_list() == [
        False,
        False,
        True,
        False,
        False,
        True,
        True,
    ]


@pytest.mark.parametrize("cell", ["1980", "1980.0", "2000"])
def test_a_year_alone_is_unreadable_not_an_excel_serial(cell: str) -> None:
    assert date_of(cell) == {"date": None, "date_unreadable": True}


@pytest.mark.parametrize(
    "cell",
    ["31-02-1980", "29-02-1900", "29-02-1981", "32-01-1980", "28-13-1980", "00-01-1980"],
)
def test_it_marks_an_impossible_date_unreadable(cell: str) -> None:
    assert date_of(cell) == {"date": None, "date_unreadable": True}


@pytest.mark.parametrize("cell", ["kemarin", "28 Foo 1980", "28-05", "1980-05", "28/05/198"])
def test_it_marks_text_that_is_no_date_unreadable(cell: str) -> None:
    assert date_of(cell) == {"date": None, "date_unreadable": True}


@pytest.mark.parametrize("cell", [None, "", "  ", "-"])
def test_an_empty_date_is_not_unreadable(cell: str | None) -> None:
    assert date_of(cell) == {"date": None, "date_unreadable": False}


def test_29_february_is_read_in_a_leap_year() -> None:
    assert date_of("29-02-2000")["date"] == datetime.date(2000, 2, 29)
    assert date_of("29 Peb 1980")["date"] == datetime.date(1980, 2, 29)


_MONTH_NAMES = {
    1: ["Januari", "Jan"], 2: ["Februari", "Feb", "Peb"], 3: ["Maret", "Mar"],
    4: ["April", "Apr"], 5: ["Mei", "May"], 6: ["Juni", "Jun"], 7: ["Juli", "Jul"],
    8: ["Agustus", "Agu", "Agt", "Ags", "Aug"], 9: ["September", "Sep", "Sept"],
    10: ["Oktober", "Okt", "Oct"], 11: ["November", "Nov", "Nop"],
    12: ["Desember", "Des", "Dec"],
}  # fmt: skip
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _written_forms(day: datetime.date, month_name: str) -> list[str]:
    forms = [
        day.isoformat(),
        f"{day.isoformat()} 00:00:00",
        day.strftime("%Y/%m/%d"),
        day.strftime("%d-%m-%Y"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%d.%m.%Y"),
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day} {month_name} {day.year}",
        f"{day.day}-{month_name.upper()}-{day.year}",
        f"{day:%d} {month_name.lower()}. {day.year}",
    ]
    serial = (day - _EXCEL_EPOCH).days
    if day >= datetime.date(1900, 3, 1) and not 1900 <= serial <= 2100:
        forms += [str(serial), f"{serial}.0"]
    if datetime.date(1926, 1, 1) <= day <= datetime.date(2025, 12, 31):  # 2-digit years
        forms += [f"{day.day}/{day.month}/{day:%y}", day.strftime("%d-%m-%y")]
    return forms


@given(st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)), st.data())
def test_any_date_in_any_accepted_form_parses_back_to_itself(
    day: datetime.date, data: st.DataObject
) -> None:
    month_name = data.draw(st.sampled_from(_MONTH_NAMES[day.month]))
    forms = _written_forms(day, month_name)
    dates = parse_date(pl.Series(forms), today=TODAY)
    assert dates.get_column("date").to_list() == [day] * len(forms), forms
    assert not dates.get_column("date_unreadable").any()


# --- place and date of birth ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "place", "date"),
    [
        ("Selong, 28-05-1980", "Selong", "28-05-1980"),
        ("SELONG,28 Mei 1980", "SELONG", "28 Mei 1980"),
        ("Lombok Timur 28-05-1980", "Lombok Timur", "28-05-1980"),
        ("Lombok  Timur,  28/5/80", "Lombok Timur", "28/5/80"),
        ("Kota Mataram, 3 Januari 1980", "Kota Mataram", "3 Januari 1980"),
        ("Selong / 1980-05-28", "Selong", "1980-05-28"),
        ("Selong", "Selong", None),
        ("Selong, 1980", "Selong", "1980"),
        ("Selong,", "Selong", None),
        ("28-05-1980", None, "28-05-1980"),
        (None, None, None),
        ("-", None, None),
    ],
)
def test_it_splits_place_and_date_of_birth(
    cell: str | None, place: str | None, date: str | None
) -> None:
    assert split_place_date(text(cell)).row(0, named=True) == {
        "birth_place": place,
        "birth_date_text": date,
    }


def test_a_split_date_is_readable_by_parse_date() -> None:
    split = split_place_date(text("Selong, 28 Agt 1980", "Selong 1980-08-28 00:00:00"))
    dates = parse_date(split.get_column("birth_date_text"), today=TODAY)
    assert dates.get_column("date").to_list() == [datetime.date(1980, 8, 28)] * 2


# --- sex -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "sex"),
    [
        ("L", "L"), ("l", "L"), (" LK ", "L"), ("Lk", "L"), ("Laki-laki", "L"),
        ("LAKI LAKI", "L"), ("laki - laki", "L"), ("Lelaki", "L"), ("Pria", "L"), ("M", "L"),
        ("1", "L"), ("1.0", "L"),
        ("P", "P"), ("PR", "P"), ("Pr", "P"), ("Perempuan", "P"), ("WANITA", "P"), ("F", "P"),
        ("2", "P"),
        ("X", None), ("3", None), ("", None), (None, None), ("-", None),
    ],
)  # fmt: skip
def test_it_reads_sex(cell: str | None, sex: str | None) -> None:
    assert parse_sex(text(cell)).to_list() == [sex]


# --- income --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "income"),
    [
        ("Rp 1.500.000", 1_500_000),
        ("Rp1.500.000,-", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1500000", 1_500_000),
        ("1500000.0", 1_500_000),
        ("1,5 jt", 1_500_000),
        ("1.5 juta", 1_500_000),
        ("1,5 juta", 1_500_000),
        ("1,5jt", 1_500_000),
        ("2 jt", 2_000_000),
        ("750 rb", 750_000),
        ("750 ribu", 750_000),
        ("750rb", 750_000),
        ("1.250.000,00", 1_250_000),
        ("Rp. 1,500,000", 1_500_000),
        ("1,250,000.00", 1_250_000),
        ("1.500", 1_500),  # dot thousands
        ("1,500", 1_500),
        ("1.500 jt", 1_500_000),  # with a unit one separator is decimal
        ("Rp 1.500.000/bulan", 1_500_000),
        ("1.500.000 per bulan", 1_500_000),
        ("IDR 1.500.000", 1_500_000),
        ("0", 0),
        ("1.250.000,50", 1_250_001),  # rounded half up
        ("1.5e+06", 1_500_000),
    ],
)
def test_it_reads_income(cell: str, income: int) -> None:
    assert parse_income(text(cell)).row(0, named=True) == {
        "income": income,
        "income_unreadable": False,
    }


@pytest.mark.parametrize(
    "cell",
    ["-500000", "Rp -1.500.000", "banyak", "1-2 jt", "1.50.000", "1.500.000.00,0", "9" * 20],
)
def test_it_marks_negative_or_odd_income_unreadable(cell: str) -> None:
    assert parse_income(text(cell)).row(0, named=True) == {
        "income": None,
        "income_unreadable": True,
    }


@pytest.mark.parametrize("cell", [None, "", "-", " "])
def test_an_empty_income_is_not_unreadable(cell: str | None) -> None:
    assert parse_income(text(cell)).row(0, named=True) == {
        "income": None,
        "income_unreadable": False,
    }


def _thousands(number: int, separator: str) -> str:
    return f"{number:,}".replace(",", separator)


def _income_forms(rupiah: int) -> list[str]:
    dotted = _thousands(rupiah, ".")
    forms = [
        str(rupiah),
        f"{rupiah}.0",
        dotted,
        f"Rp {dotted}",
        f"Rp{dotted},-",
        f"{dotted},00",
        f"Rp. {_thousands(rupiah, ',')}",
    ]
    if rupiah % 1000 == 0:
        forms += [f"{rupiah // 1000} rb", f"{rupiah // 1000} ribu"]
    if rupiah % 100_000 == 0:
        millions, tenths = divmod(rupiah // 100_000, 10)
        forms += [f"{millions},{tenths} jt", f"{millions}.{tenths} juta"]
    if rupiah % 1_000_000 == 0:
        forms += [f"{rupiah // 1_000_000} jt"]
    return forms


@given(
    st.integers(0, 10**12)
    | st.integers(0, 10**6).map(lambda n: n * 1000)
    | st.integers(0, 10**5).map(lambda n: n * 100_000)
)
def test_any_amount_in_any_accepted_form_parses_back(rupiah: int) -> None:
    forms = _income_forms(rupiah)
    parsed = parse_income(pl.Series(forms))
    assert parsed.get_column("income").to_list() == [rupiah] * len(forms), forms


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "name", "key"),
    [
        ("  Lalu   Ahmad ", "Lalu Ahmad", "lalu ahmad"),
        ("BAIQ SITI AMINAH", "BAIQ SITI AMINAH", "baiq siti aminah"),
        ("H. Lalu Ahmad, S.Pd", "H. Lalu Ahmad, S.Pd", "lalu ahmad"),
        ("Hj. Baiq Siti, S.Pd.I", "Hj. Baiq Siti, S.Pd.I", "baiq siti"),
        ("Hajah Siti", "Hajah Siti", "siti"),
        ("Haji Ahmad", "Haji Ahmad", "ahmad"),
        ("Drs. H. Muhammad Nur, M.Pd", "Drs. H. Muhammad Nur, M.Pd", "muhammad nur"),
        ("Dra. Siti S.E.", "Dra. Siti S.E.", "siti"),
        ("Dr. Ir. Made Sudarma", "Dr. Ir. Made Sudarma", "made sudarma"),
        ("dr. Ayu, S.Ked", "dr. Ayu, S.Ked", "ayu"),
        ("Ahmad, S.H., M.H.", "Ahmad, S.H., M.H.", "ahmad"),
        ("Ahmad S.Kom", "Ahmad S.Kom", "ahmad"),
        ("Ahmad, S.T.", "Ahmad, S.T.", "ahmad"),
        ("Siti A.Md", "Siti A.Md", "siti"),
        ("Siti, Amd", "Siti, Amd", "siti"),
        ("Bpk. Sahrul", "Bpk. Sahrul", "sahrul"),
        ("Bapak Sahrul", "Bapak Sahrul", "sahrul"),
        ("Ibu Nyoman", "Ibu Nyoman", "nyoman"),
        ("Sdr. Budi", "Sdr. Budi", "budi"),
        ("Tn. Amaq Sahnan", "Tn. Amaq Sahnan", "amaq sahnan"),
        ("Ny. Inaq Sumi", "Ny. Inaq Sumi", "inaq sumi"),
        ("Ma'ruf Amin", "Ma'ruf Amin", "maruf amin"),
        ("Nur-Aini", "Nur-Aini", "nur aini"),
        ("José Ñúñez", "José Ñúñez", "jose nunez"),
        ("M. Ali", "M. Ali", "m ali"),
    ],
)
def test_it_reads_a_name_and_its_matching_key(cell: str, name: str, key: str) -> None:
    assert person_name(text(cell)).row(0, named=True) == {"name": name, "name_key": key}


def test_lalu_and_baiq_are_part_of_the_name() -> None:
    keys = person_name(text("Lalu", "Baiq", "H. Lalu Baiq")).get_column("name_key")
    assert keys.to_list() == ["lalu", "baiq", "lalu baiq"]


@pytest.mark.parametrize(("cell", "key"), [("Hj.", "hj"), ("H. Hj.", "hj"), ("S.Pd", "s pd")])
def test_a_name_of_titles_only_keeps_a_key(cell: str, key: str) -> None:
    assert person_name(text(cell)).get_column("name_key").to_list() == [key]


@pytest.mark.parametrize("cell", [None, "", "   ", "...", "-", ", ."])
def test_an_empty_name_is_null(cell: str | None) -> None:
    assert person_name(text(cell)).row(0, named=True) == {"name": None, "name_key": None}


@given(st.lists(st.text(), min_size=1, max_size=20))
def test_name_key_is_idempotent_and_never_empty(cells: list[str]) -> None:
    first = person_name(pl.Series(cells, dtype=pl.String))
    again = person_name(first.get_column("name_key"))
    assert again.get_column("name_key").to_list() == first.get_column("name_key").to_list()
    for name, key in first.iter_rows():
        assert (name is None) == (key is None)
        assert key != ""


_TITLE_OR_DEGREE = re.compile(
    rf"(?:{'|'.join(values.NAME_TITLES_BEFORE)}|{'|'.join(values.NAME_DEGREES_AFTER)})"
)
_WORDS = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9).filter(
    lambda word: not _TITLE_OR_DEGREE.fullmatch(word)
)


@given(
    st.lists(_WORDS, min_size=1, max_size=4),
    st.lists(st.sampled_from(["H.", "Hj.", "Drs.", "Dr.", "Ir.", "Bapak", "Ibu", "Ny."])),
    st.sampled_from(["", ", S.Pd", " S.Pd.I", ", S.E.", " A.Md", ", S.H., M.H.", " SE"]),
    st.sampled_from([str.lower, str.upper, str.title]),
    st.sampled_from([" ", "  ", "\t", " \u00a0"]),
)
def test_name_key_ignores_titles_spacing_and_case(
    words: list[str], before: list[str], after: str, case: Callable[[str], str], space: str
) -> None:
    plain = " ".join(words)
    decorated = space.join([*before, *(case(word) for word in words)]) + after
    keys = person_name(pl.Series([plain, f"  {decorated} "])).get_column("name_key")
    assert keys.to_list() == [plain, plain]


# --- occupation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("PETANI/PEKEBUN", "petani"),
        ("Petani", "petani"),
        ("Petani Tembakau", "petani_tembakau"),
        ("Buruh Tani Tembakau", "buruh_tani_tembakau"),
        ("BURUH TANI/PERKEBUNAN", "buruh_tani"),
        ("Pekebun", "pekebun"),
        ("Nelayan/Perikanan", "nelayan"),
        ("Pedagang", "pedagang"),
        ("WIRASWASTA", "pedagang"),
        ("Tukang Batu", "tukang"),
        ("Tukang Kayu", "tukang"),
        ("Pengrajin", "tukang"),
        ("Buruh Harian Lepas", "buruh_harian_lepas"),
        ("BHL", "buruh_harian_lepas"),
        ("Buruh", "buruh_harian_lepas"),
        ("Sopir", "sopir"),
        ("Supir", "sopir"),
        ("Ojek", "ojek"),
        ("Ojol", "ojek"),
        ("Tukang Ojek", "ojek"),
        ("Peternak", "peternak"),
        ("Peternakan", "peternak"),
        ("buruh_tani_tembakau", "buruh_tani_tembakau"),
        (" Lainnya ", "lainnya"),
        ("Ibu Rumah Tangga", "lainnya"),
        ("", "lainnya"),
        (None, "lainnya"),
    ],
)
def test_it_reads_occupation(cell: str | None, code: str) -> None:
    assert parse_occupation(text(cell)).to_list() == [code]


def test_it_accepts_every_occupation_code() -> None:
    from lindung.registry.models import Occupation

    assert parse_occupation(pl.Series(Occupation.values)).to_list() == Occupation.values


# --- desil, flags, phone -------------------------------------------------------------------


def test_it_reads_desil() -> None:
    cells = text("3", "3.0", "Desil 3", "desil 10", "D3", "0", "11", "tiga", None, "")
    desil = parse_desil(cells)
    assert desil.to_list() == [3, 3, 3, 10, 3, None, None, None, None, None]
    assert desil.dtype == pl.Int8


def test_it_reads_yes_no_flags() -> None:
    cells = text("Ya", "Y", "ya", "1", "True", "✓", "√", "v", "X")
    assert parse_flag(cells).to_list() == [True] * 9
    cells = text("Tidak", "T", "0", "False", "-", "", None, "entah")
    assert parse_flag(cells).to_list() == [False] * 8


@pytest.mark.parametrize(
    ("cell", "phone"),
    [
        ("081234567890", "081234567890"),
        ("0812-3456-7890", "081234567890"),
        ("0812 3456 7890", "081234567890"),
        ("+62 812 3456 7890", "081234567890"),
        ("+6281234567890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("81234567890", "081234567890"),  # a number cell lost the 0
        ("81234567890.0", "081234567890"),
        ("8.1234567890e+10", "081234567890"),
        ("0812-3456-7890 / 0819-1111-2222", "081234567890"),
        ("(0376) 21234", "037621234"),
        ("12345", None),
        ("0812345678901234567", None),
        ("-", None),
        (None, None),
    ],
)
def test_it_cleans_phone_numbers(cell: str | None, phone: str | None) -> None:
    assert clean_phone(text(cell)).to_list() == [phone]


# --- repeated values -----------------------------------------------------------------------


def test_parsers_give_the_same_rows_when_values_repeat() -> None:
    # Columns of few distinct values are parsed once per value and joined back in order.
    cells = ["28-05-1980", None, "kemarin", "Rp 1.500.000", "P"]
    repeated = text(*(cells * 20))
    for parse in (parse_income, split_place_date, person_name):
        assert parse(repeated).rows() == parse(text(*cells)).rows() * 20
    assert parse_date(repeated, today=TODAY).rows() == (
        parse_date(text(*cells), today=TODAY).rows() * 20
    )
    for parse_series in (parse_sex, parse_desil, clean_phone):
        assert parse_series(repeated).to_list() == parse_series(text(*cells)).to_list() * 20


@pytest.mark.parametrize("column", [pl.Series([], dtype=pl.String), pl.Series([None, None])])
def test_parsers_keep_their_types_on_empty_and_all_null_columns(column: pl.Series) -> None:
    flags = pl.Series([False] * len(column))
    assert clean_nik(column, flags).dtypes == [pl.String] * 3
    assert nik_facts(column, TODAY).dtypes == [pl.Date, pl.String, pl.String, pl.String]
    assert parse_date(column, today=TODAY).dtypes == [pl.Date, pl.Boolean]
    assert split_place_date(column).dtypes == [pl.String, pl.String]
    assert parse_income(column).dtypes == [pl.Int64, pl.Boolean]
    assert person_name(column).dtypes == [pl.String, pl.String]
    assert [parse_sex(column).dtype, parse_desil(column).dtype] == [pl.String, pl.Int8]
    assert [parse_flag(column).dtype, parse_occupation(column).dtype] == [pl.Boolean, pl.String]
    assert [clean_phone(column).dtype, clean_no_kk(column, flags).dtype] == [pl.String] * 2
    assert len(parse_flag(column)) == len(column)


_CELL_TEXT = st.text(st.sampled_from("0123456789 .,-/:'+eEjtRrpbKkMeiAgDsTL\u00a0")) | st.text()


@given(st.lists(st.none() | _CELL_TEXT, min_size=1, max_size=30))
def test_parsers_never_fail_on_any_cell_text(cells: list[str | None]) -> None:
    column = pl.Series(cells, dtype=pl.String)
    flags = pl.Series([True] * len(cells))
    frames = [
        clean_nik(column, flags),
        nik_facts(column, TODAY),
        parse_date(column, today=TODAY),
        split_place_date(column),
        parse_income(column),
        person_name(column),
    ]
    series = [parse_sex(column), parse_occupation(column), parse_desil(column)]
    series += [parse_flag(column), clean_phone(column), clean_no_kk(column, flags)]
    assert {len(result) for result in [*frames, *series]} == {len(cells)}
    assert (parse_income(column).get_column("income").fill_null(0) >= 0).all()
