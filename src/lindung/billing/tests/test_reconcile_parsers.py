"""The recap's cells as branches write them: amounts, paid-through months and statuses
(property tests), and a small recap frame normalised and classified without a database."""

import datetime

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.billing.reconcile import cells, check
from lindung.billing.states import BillingError
from lindung.formats import format_number

MONTH_NAMES = {
    1: ("Januari", "Jan", "JANUARI"),
    2: ("Februari", "Feb", "Pebruari"),
    3: ("Maret", "Mar"),
    4: ("April", "Apr"),
    5: ("Mei", "May"),
    6: ("Juni", "Jun", "JUN"),
    7: ("Juli", "Jul"),
    8: ("Agustus", "Agt", "Aug"),
    9: ("September", "Sep", "Sept"),
    10: ("Oktober", "Okt", "Oct"),
    11: ("November", "Nov", "Nop"),
    12: ("Desember", "Des", "Dec"),
}
amounts = st.integers(min_value=0, max_value=10**12)
months = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2100, 12, 31))


@given(amounts)
def test_an_amount_reads_back_whatever_its_spelling(amount: int) -> None:
    english = f"{amount:,}"
    spellings = [
        str(amount),  # a number cell
        format_number(amount),  # 16.800
        f"Rp{format_number(amount)}",
        f"Rp {format_number(amount)},00",
        f"{english}.00",
        f" {amount} ",
    ]
    if amount >= 1000:
        spellings.append(english)  # 16,800: a comma before three digits groups thousands
    for text in spellings:
        assert cells.parse_amount(text) == amount, text


@given(st.text(max_size=20))
def test_an_amount_cell_is_a_whole_number_or_refused(text: str) -> None:
    try:
        value = cells.parse_amount(text)
    except ValueError:
        return
    assert value is None or (isinstance(value, int) and value >= 0)
    assert value is not None or not text.strip()


@pytest.mark.parametrize("text", ["-16.800", "16.800,50", "abc", "16,8", "Rp"])
def test_an_amount_that_is_no_whole_rupiah_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        cells.parse_amount(text)


@given(months, st.data())
def test_a_month_reads_back_whatever_its_spelling(day: datetime.date, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(MONTH_NAMES[day.month]))
    first = day.replace(day=1)
    spellings = [
        f"{day:%Y-%m}",
        f"{day.year}/{day.month}",
        f"{day:%m-%Y}",
        f"{day.month}/{day.year}",
        f"{day:%Y%m}",
        f"{name} {day.year}",
        f"{name}-{day.year}",
        day.isoformat(),  # a date cell as the reader gives it
        f"{day:%d-%m-%Y}",
        f"{day.day} {name} {day.year}",
    ]
    if day.year <= 2099:
        spellings.append(str((day - datetime.date(1899, 12, 30)).days))  # an Excel serial
        if day.year >= 2000:
            spellings.append(f"{name}-{day:%y}")  # JUN-27
    for text in spellings:
        assert cells.parse_month(text) == first, text


@given(st.text(max_size=20))
def test_a_month_cell_is_a_month_or_refused(text: str) -> None:
    try:
        value = cells.parse_month(text)
    except ValueError:
        return
    assert value is None or (value.day == 1 and 1990 <= value.year <= 2100)


@pytest.mark.parametrize("text", ["2027-13", "Juno 2027", "31-02-2027", "1800-01", "kemarin"])
def test_a_month_that_is_none_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        cells.parse_month(text)


ACTIVE = ["Aktif", "AKTIF", "aktif ", "Active", "Terdaftar", "Menunggak", "Y", "ya"]
INACTIVE = ["Non Aktif", "NON-AKTIF", "Nonaktif", "Tidak Aktif", "NA", "Meninggal", "Keluar",
            "Berhenti", "Inactive", "T", "Kadaluarsa"]  # fmt: skip


@given(st.sampled_from(ACTIVE + INACTIVE), st.sampled_from(["", " ", "  "]), st.booleans())
def test_a_status_reads_the_same_in_any_case_and_spacing(text: str, pad: str, upper: bool) -> None:
    expected = cells.ACTIVE if text in ACTIVE else cells.INACTIVE
    shown = text.upper() if upper else text.lower()
    assert cells.parse_status(pad + shown + pad) == expected


@given(st.text(max_size=30))
def test_a_status_is_active_inactive_or_unknown(text: str) -> None:
    assert cells.parse_status(text) in (cells.ACTIVE, cells.INACTIVE, None)
    assert cells.parse_status("Non " + text + " aktif") in (cells.ACTIVE, cells.INACTIVE)


def _frame(rows: list[dict[str, str | None]]) -> pl.DataFrame:
    columns = ("kpj", "nik", "status", "paid_through", "amount")
    data: dict[str, list[object]] = {c: [r.get(c) for r in rows] for c in columns}
    data["_row"] = list(range(2, 2 + len(rows)))
    data["_nik_numeric"] = [False] * len(rows)
    return pl.DataFrame(data, schema={**dict.fromkeys(columns, pl.String), "_row": pl.Int64,
                                      "_nik_numeric": pl.Boolean})  # fmt: skip


NIK = "5203072805800002"
PEOPLE = pl.DataFrame(
    [
        {"participation_id": 1, "worker_id": 10, "kpj": "27000000001", "nik": NIK,
         "state": "TERDAFTAR", "end_reason": "", "source": "apbd", "fiscal_year": 2027,
         "wadah": "SG-APBD", "npw": "NPW1", "desa_id": "52.03.07.1001",
         "effective_from": datetime.date(2027, 1, 1), "on_list": True, "status": "protected",
         "paid_until": datetime.date(2027, 6, 30)},
    ],
    schema=check.PARTICIPATIONS,
)  # fmt: skip
PAID = pl.DataFrame(
    [(1, 10, 5, datetime.date(2027, m, 1), 16_800) for m in range(1, 7)],
    schema=check.PAID,
    orient="row",
)


def _classify(rows: list[dict[str, str | None]]) -> pl.DataFrame:
    return check.classify(
        check.normalise(_frame(rows)),
        participations=PEOPLE,
        paid=PAID,
        known=pl.DataFrame(schema=check.KNOWN),
        fiscal_year=2027,
        on=datetime.date(2027, 3, 1),
    )


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ({"status": "Aktif", "paid_through": "Juni 2027", "amount": "100.800"}, "MATCHED"),
        ({"status": "Aktif", "paid_through": "Juli 2027", "amount": "100.800"},
         "PAID_THROUGH_DIFFERS"),
        ({"status": "Aktif", "paid_through": "Maret 2027", "amount": "50.400"},
         "PAID_THROUGH_DIFFERS"),
        ({"status": "Aktif", "paid_through": "Juni 2027", "amount": "84.000"}, "AMOUNT_DIFFERS"),
        ({"status": "Aktif", "paid_through": "Juni 2027", "amount": "banyak"},
         "AMOUNT_UNREADABLE"),
        ({"status": "Aktif", "paid_through": "besok", "amount": "100.800"}, "DATE_UNREADABLE"),
        ({"status": "Cuti", "paid_through": "Juni 2027"}, "STATUS_UNREADABLE"),
        ({}, "STATUS_UNREADABLE"),
        ({"status": "Non Aktif"}, "NOT_ACTIVE_AT_BPJS"),
        ({"paid_through": "2027-06"}, "MATCHED"),  # no status: a paid-through month says active
        ({"kpj": None, "nik": NIK, "status": "Aktif", "paid_through": "Juni 2027"}, "MATCHED"),
        ({"kpj": "11111111111", "status": "Aktif"}, "UNKNOWN_MEMBER"),
        ({"kpj": "11111111111", "status": "Non Aktif"}, "INACTIVE_BOTH"),
    ],
)  # fmt: skip
def test_a_row_gets_exactly_one_code(row: dict[str, str | None], code: str) -> None:
    rows = _classify([{"kpj": "27000000001", **row}])
    first = rows.filter(pl.col("row") == 2).row(0, named=True)
    assert first["code"] == code
    assert first["category"] == check.CATEGORY_OF[code]
    assert sum(check.counts(rows).values()) == rows.height


def test_a_registered_participant_missing_from_the_file_is_not_active() -> None:
    rows = _classify([{"kpj": "11111111111", "status": "Aktif"}])
    missing = rows.filter(pl.col("row").is_null()).row(0, named=True)
    assert (missing["kpj"], missing["code"], missing["category"]) == (
        "27000000001",
        "MISSING_FROM_RECAP",
        "not_active",
    )


def test_a_kpj_written_as_a_spreadsheet_number_still_matches() -> None:
    rows = _classify([{"kpj": "27000000001.0", "status": "Aktif", "paid_through": "Juni 2027"}])
    assert rows.get_column("code").to_list() == ["MATCHED"]


def test_niks_that_lost_digits_refuse_the_file() -> None:
    frame = _frame([{"kpj": "27000000001", "nik": "5203072805800000", "status": "Aktif"}])
    frame = frame.with_columns(pl.lit(True).alias("_nik_numeric"))
    with pytest.raises(BillingError, match="rows 2"):
        check.normalise(frame)


def test_a_bill_is_reconciled_when_its_participants_all_match() -> None:
    lines = pl.DataFrame(
        [(5, 1, datetime.date(2027, m, 1)) for m in range(1, 7)]
        + [(6, 1, datetime.date(2027, m, 1)) for m in range(7, 13)],
        schema=check.LINES,
        orient="row",
    )
    matched = _classify([{"kpj": "27000000001", "status": "Aktif", "paid_through": "Juni 2027"}])
    assert check.bill_targets(matched, lines) == {5: "DIREKONSILIASI", 6: "DIREKONSILIASI"}
    short = _classify(
        [{"kpj": "27000000001", "status": "Aktif", "paid_through": "Juni 2027", "amount": "1"}]
    )
    # the amount of January to June differs: the bill of those months, not the next one
    assert check.bill_targets(short, lines) == {5: "SELISIH"}
    late = _classify([{"kpj": "27000000001", "status": "Aktif", "paid_through": "Maret 2027"}])
    assert check.bill_targets(late, lines) == {}
