from datetime import UTC, date, datetime

from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from lindung.formats import (
    format_date,
    format_datetime,
    format_number,
    format_rupiah,
    mask_nik,
)


def test_it_groups_thousands_with_dots() -> None:
    assert format_number(1331533) == "1.331.533"
    assert format_number(0) == "0"
    assert format_number(-12000) == "-12.000"
    assert format_number(1234.5, 1) == "1.234,5"


def test_it_writes_rupiah_without_a_space() -> None:
    assert format_rupiah(1234567) == "Rp1.234.567"
    assert format_rupiah(16800) == "Rp16.800"
    assert format_rupiah(-500) == "-Rp500"
    assert format_rupiah(None) == "–"


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_grouped_numbers_read_back_to_the_same_value(value: int) -> None:
    assert int(format_number(value).replace(".", "")) == value


def test_it_names_months_in_indonesian_by_default() -> None:
    with translation.override("id"):
        assert format_date(date(2024, 5, 28)) == "28 Mei 2024"
        assert format_date(date(2026, 8, 17)) == "17 Agustus 2026"
    with translation.override("en"):
        assert format_date(date(2024, 5, 28)) == "28 May 2024"


def test_it_shows_times_in_wita() -> None:
    moment = datetime(2024, 5, 28, 6, 5, tzinfo=UTC)
    with translation.override("id"):
        assert format_datetime(moment) == "28 Mei 2024 14.05 WITA"


def test_it_masks_a_nik_but_keeps_its_region_and_serial() -> None:
    assert mask_nik("5203074101800001") == "5203********0001"
    assert mask_nik("") == ""


def test_the_filters_work_in_templates_without_loading() -> None:
    template = Template("{{ n|angka }} {{ m|rupiah }} {{ d|tanggal }} {{ p|persen }}")
    with translation.override("id"):
        text = template.render(Context({"n": 254, "m": 16800, "d": date(2024, 12, 1), "p": 0.3568}))
    assert text == "254 Rp16.800 1 Desember 2024 35,68%"
