"""A claim report's rows without a database: the benefit types as branches write them, money
and dates in every spelling (property tests), the cell checks and the matching rules."""

import datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.claims.reports import check, words
from lindung.formats import format_number

D = datetime.date
ON = D(2027, 4, 15)
MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
]  # fmt: skip
MONTHS_SHORT = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des",
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("jkm", "jkm"),
        ("JKM", "jkm"),
        ("Jaminan Kematian", "jkm"),
        ("Meninggal Dunia", "jkm"),
        ("JKM - Meninggal Dunia", "jkm"),
        ("jkk meninggal", "jkk-death"),
        ("JKK-Meninggal", "jkk-death"),
        ("jkk-death", "jkk-death"),
        ("JKK Kematian", "jkk-death"),
        ("Kecelakaan Kerja - Meninggal", "jkk-death"),
        ("cacat", "jkk-disability"),
        ("JKK Cacat Tetap Sebagian", "jkk-disability"),
        ("jkk-disability", "jkk-disability"),
        ("STMB", "stmb"),
        ("Santunan Sementara Tidak Mampu Bekerja", "stmb"),
        ("perawatan", "jkk-medical"),
        ("Pengobatan", "jkk-medical"),
        ("Biaya Perawatan dan Pengobatan", "jkk-medical"),
        ("jkk-medical", "jkk-medical"),
        ("JKK", None),
        ("JHT", None),
        ("", None),
        (None, None),
    ],
)
def test_the_benefit_type_as_branches_write_it(text: str | None, kind: str | None) -> None:
    assert check.parse_kind(text) == kind


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A sheet's frame as `read_report` gives it (text cells, `_row`)."""
    names = ("kpj", "nik", "name", "type", "event_date", "paid_on", "amount", "bpjs_number")
    return pl.DataFrame(
        {
            **{n: [r.get(n) for r in rows] for n in names},
            "_row": list(range(2, len(rows) + 2)),
            "_kpj_numeric": [False] * len(rows),
            "_nik_numeric": [False] * len(rows),
        },
        schema={
            **dict.fromkeys(names, pl.String),
            "_row": pl.Int64,
            "_kpj_numeric": pl.Boolean,
            "_nik_numeric": pl.Boolean,
        },
    )


def spellings_of_date(day: datetime.date) -> list[str]:
    serial = (day - D(1899, 12, 30)).days
    return [
        day.isoformat(),  # a date cell
        f"{day.isoformat()} 00:00:00",
        f"{day:%d-%m-%Y}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day:%d.%m.%Y}",
        f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}",
        f"{day.day} {MONTHS_SHORT[day.month - 1]} {day.year}",
        f"{day.day}-{MONTHS_ID[day.month - 1].upper()}-{day.year}",
        str(serial),  # an Excel serial
    ]


def spellings_of_amount(amount: int) -> list[str]:
    return [
        str(amount),
        format_number(amount),  # 2.500.000
        f"Rp{format_number(amount)}",
        f"Rp {format_number(amount)},00",
        f"{amount:,}.00",
    ] + ([f"{amount:,}"] if amount >= 1000 else [])


@settings(max_examples=60, deadline=None)
@given(
    event=st.dates(min_value=D(2000, 1, 1), max_value=D(2027, 4, 1)),
    delay=st.integers(min_value=0, max_value=14),
    amount=st.integers(min_value=1, max_value=10**11),
)
def test_money_and_dates_read_back_whatever_their_spelling(
    event: datetime.date, delay: int, amount: int
) -> None:
    paid = min(event + datetime.timedelta(days=delay), ON)
    rows = [
        {
            "kpj": "27000000001",
            "type": "JKM",
            "event_date": e,
            "paid_on": p,
            "amount": a,
        }
        for e, p, a in zip(
            spellings_of_date(event),
            spellings_of_date(paid),
            spellings_of_amount(amount) * 2,
            strict=False,
        )
    ]
    report = check.normalise(frame(rows), today=ON)
    assert report.get_column("event_date").to_list() == [event] * len(rows)
    assert report.get_column("paid_on").to_list() == [paid] * len(rows)
    assert report.get_column("amount").to_list() == [amount] * len(rows)
    errors = check.cell_errors(report, on=ON).to_list()
    assert errors == [[]] * len(rows)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=25))
def test_any_cell_text_gives_a_value_or_a_problem_never_a_crash(text: str) -> None:
    rows = [{"kpj": text, "nik": text, "type": text, "event_date": text, "paid_on": text,
             "amount": text}]  # fmt: skip
    report = check.normalise(frame(rows), today=ON)
    [errors] = check.cell_errors(report, on=ON).to_list()
    entry = report.row(0, named=True)
    for field, missing, unreadable in (
        ("event_date", "EVENT_DATE_MISSING", "EVENT_DATE_UNREADABLE"),
        ("paid_on", "PAID_DATE_MISSING", "PAID_DATE_UNREADABLE"),
        ("amount", "AMOUNT_MISSING", "AMOUNT_UNREADABLE"),
    ):
        assert (entry[field] is not None) != (missing in errors or unreadable in errors)


def test_a_number_kpj_and_a_nik_are_cleaned() -> None:
    report = check.normalise(
        frame(
            [
                {"kpj": "27000000001.0", "nik": "5203011207850001", "type": "jkm"},
                {"kpj": " 27.000.000.002 ", "nik": "'5203011207850002", "type": "jkm"},
                {"kpj": None, "nik": "1234", "type": "jkm"},
            ]
        ),
        today=ON,
    )
    assert report.get_column("kpj").to_list() == ["27000000001", "27000000002", None]
    assert report.get_column("nik").to_list()[:2] == ["5203011207850001", "5203011207850002"]
    assert report.get_column("nik_error").to_list() == [None, None, "NIK_INVALID"]


def test_cell_errors_name_every_problem_of_a_row() -> None:
    report = check.normalise(
        frame(
            [
                {},
                {
                    "kpj": "1",
                    "type": "JHT",
                    "event_date": "kemarin",
                    "paid_on": "1 Mei 2027",
                    "amount": "dua juta",
                },
                {
                    "kpj": "1",
                    "type": "jkm",
                    "event_date": "1-3-2027",
                    "paid_on": "1-2-2027",
                    "amount": "-5",
                },
            ]
        ),
        today=ON,
    )
    assert check.cell_errors(report, on=ON).to_list() == [
        ["IDENTITY_MISSING", "TYPE_MISSING", "EVENT_DATE_MISSING", "PAID_DATE_MISSING",
         "AMOUNT_MISSING"],
        ["TYPE_UNKNOWN", "EVENT_DATE_UNREADABLE", "AMOUNT_UNREADABLE", "PAID_IN_FUTURE"],
        ["AMOUNT_UNREADABLE", "PAID_BEFORE_EVENT"],
    ]  # fmt: skip


def _lindung(**frames: list[tuple[Any, ...]]) -> dict[str, pl.DataFrame]:
    schemas = {
        "people": check.PEOPLE,
        "workers": check.WORKERS,
        "claims": check.CLAIMS,
        "deaths": check.DEATHS,
    }
    return {
        name: pl.DataFrame(frames.get(name, []), schema=schema, orient="row")
        for name, schema in schemas.items()
    }


def test_matching_rules() -> None:
    people = [
        (1, 10, "27000000001", "5203011207850001", 2027, "TERDAFTAR"),
        (2, 20, "27000000002", "5203011207850002", 2027, "TERDAFTAR"),
        (3, 30, "27000000003", "5203011207850003", 2027, "BERAKHIR"),
        (4, 40, "27000000004", "5203011207850004", 2027, "TERDAFTAR"),
    ]
    workers = [(10, "5203011207850001"), (20, "5203011207850002"), (50, "5203011207850005")]
    claims = [
        (100, "KL-2027-0001", 10, "jkk-medical", D(2027, 2, 20), "DIAJUKAN", None),
        (101, "KL-2027-0002", 10, "jkk-medical", D(2027, 1, 2), "DIBAYAR", 500_000),
        (102, "KL-2027-0003", 20, "jkm", D(2027, 3, 1), "DITOLAK", None),
    ]
    deaths = [(20, D(2027, 3, 1)), (30, D(2027, 1, 10))]
    rows = [
        # within 3 days of claim 100 (the open one, not the paid one of January)
        {"kpj": "27000000001", "type": "Perawatan", "event_date": "2027-02-23"},
        # 4 days off: no claim within the window: a new claim
        {"kpj": "27000000001", "type": "Perawatan", "event_date": "2027-02-16"},
        # the paid claim of January with the same amount
        {
            "kpj": "27000000001",
            "type": "perawatan",
            "event_date": "2027-01-02",
            "amount": "500.000",
        },
        # rejected in Lindung
        {"nik": "5203011207850002", "type": "JKM", "event_date": "2027-03-01"},
        # KPJ of worker 10, NIK of worker 20
        {
            "kpj": "27000000001",
            "nik": "5203011207850002",
            "type": "STMB",
            "event_date": "2027-03-01",
        },
        # in the registry, never a participant
        {"nik": "5203011207850005", "type": "STMB", "event_date": "2027-03-01"},
        # nobody
        {"kpj": "99999999999", "type": "STMB", "event_date": "2027-03-01"},
        # a death benefit for a worker who died on another date
        {"kpj": "27000000003", "type": "JKM", "event_date": "2027-03-01"},
        # the same new claim twice
        {"kpj": "27000000004", "type": "Cacat", "event_date": "2027-03-01"},
        {"kpj": "27000000004", "type": "Cacat", "event_date": "2027-03-01"},
    ]
    for row in rows:
        row.setdefault("paid_on", "2027-04-01")
        row.setdefault("amount", "1.000.000")
    report = check.normalise(frame(rows), today=ON)
    checked = check.classify(
        report, **_lindung(people=people, workers=workers, claims=claims, deaths=deaths), on=ON
    )
    got = [(e["status"], e["code"], e["claim"]) for e in checked.iter_rows(named=True)]
    assert got == [
        ("matched", "MATCHED", "KL-2027-0001"),
        ("new", "NEW", None),
        ("unchanged", "UNCHANGED", "KL-2027-0002"),
        ("problem", "CLAIM_REJECTED", "KL-2027-0003"),
        ("problem", "IDENTITY_DIFFERS", None),
        ("unmatched", "NOT_A_PARTICIPANT", None),
        ("unmatched", "UNKNOWN_WORKER", None),
        ("problem", "DEATH_OTHER_DATE", None),
        ("new", "NEW", None),
        ("problem", "DUPLICATE_ROW", None),
    ]
    assert checked.get_column("participation_id").to_list()[:3] == [1, 1, 1]
    assert check.counts(checked) == {
        "rows_total": 10, "matched": 2, "new": 2, "unmatched": 2, "problems": 4, "unchanged": 1,
    }  # fmt: skip
    problems = checked.filter(pl.col("status") == "problem")
    assert problems.get_column("errors").to_list() == [
        ["CLAIM_REJECTED"], ["IDENTITY_DIFFERS"], ["DEATH_OTHER_DATE"], ["DUPLICATE_ROW"],
    ]  # fmt: skip
    for entry in checked.iter_rows(named=True):
        text = words.message(entry)
        assert text.startswith(f"Row {entry['row']}"), text


def test_every_code_has_a_message() -> None:
    entry = {"row": 7, "kpj": "27000000001", "code": "", "errors": []}
    for code in check.Code:
        assert words.body(code, entry)
    assert words.messages({**entry, "errors": ["TYPE_MISSING", "AMOUNT_MISSING"]}) == [
        "Row 7 (KPJ 27000000001): " + words.body("TYPE_MISSING", entry),
        "Row 7 (KPJ 27000000001): " + words.body("AMOUNT_MISSING", entry),
    ]
