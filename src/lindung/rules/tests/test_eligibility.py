"""Eligibility and priority over small inline frames; registry_frame over the database."""

import dataclasses
import datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.registry.models import Worker
from lindung.registry.tests.factories import WorkerFactory
from lindung.rules.eligibility import (
    REGISTRY_SCHEMA,
    eligibility,
    explain,
    registry_frame,
    sample_frame,
    summary,
)
from lindung.rules.policy import AgeBand, Eligibility, FundingSource, Policy, Priority

YEAR = 2027
DEFAULT = Policy.default(("52.03",))


def _run(rows: list[dict[str, Any]], policy: Policy = DEFAULT, **kwargs: Any) -> pl.DataFrame:
    return eligibility(sample_frame(rows), policy, YEAR, **kwargs)


def _reasons(frame: pl.DataFrame) -> list[str | None]:
    return frame.get_column("reason").to_list()


def _with(**changes: Any) -> Policy:
    return dataclasses.replace(
        DEFAULT, eligibility=dataclasses.replace(DEFAULT.eligibility, **changes)
    )


def test_an_ordinary_farmer_is_eligible_for_apbd_only() -> None:
    frame = _run([{}])
    assert _reasons(frame) == [None]
    assert frame.get_column("eligible").to_list() == [["apbd"]]


def test_dbhcht_pays_only_for_tobacco_workers() -> None:
    frame = _run([{"occupation": "petani_tembakau"}, {"occupation": "buruh_tani_tembakau"}, {}])
    assert frame.get_column("eligible").to_list() == [
        ["apbd", "dbhcht"],
        ["apbd", "dbhcht"],
        ["apbd"],
    ]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"status": "meninggal"}, "status"),
        ({"birth_date": datetime.date(2009, 1, 2)}, "age"),  # 17 on 1 January 2027
        ({"birth_date": datetime.date(1961, 1, 1)}, "age"),  # 66 on 1 January 2027
        ({"desil": 5}, "desil"),
        ({"desil": None}, "desil_missing"),
        ({"desa_id": "52.01.01.2001", "kecamatan_id": "52.01.01"}, "outside_deployment"),
    ],
)
def test_each_criterion_has_its_reason(row: dict[str, Any], reason: str) -> None:
    assert _reasons(_run([row])) == [reason]
    assert _run([row]).get_column("eligible").to_list() == [[]]


def test_age_is_counted_on_the_first_of_january() -> None:
    rows = [
        {"birth_date": datetime.date(2009, 1, 1)},  # 18 on 1 January 2027
        {"birth_date": datetime.date(2009, 1, 2)},  # 17
        {"birth_date": datetime.date(1961, 1, 1)},  # 66
        {"birth_date": datetime.date(1961, 1, 2)},  # 65
    ]
    assert _reasons(_run(rows)) == [None, "age", "age", None]
    assert _reasons(_run(rows, _with(min_age=17, max_age=64))) == [None, None, "age", "age"]


def test_occupations_included_and_excluded() -> None:
    rows = [{"occupation": "nelayan"}, {"occupation": "ojek"}, {"occupation": "petani"}]
    included = _with(occupations_included=("nelayan", "ojek"))
    assert _reasons(_run(rows, included)) == [None, None, "occupation"]
    excluded = _with(occupations_excluded=("ojek",))
    assert _reasons(_run(rows, excluded)) == [None, "occupation", None]


def test_missing_desil_is_included_or_excluded_as_the_policy_says() -> None:
    assert _reasons(_run([{"desil": None}], _with(missing_desil="exclude"))) == ["desil_missing"]
    frame = _run([{"desil": None}], _with(missing_desil="include"))
    assert _reasons(frame) == [None]
    assert explain(frame, 1)["desil"] == 0


def test_area_restrictions_of_a_source() -> None:
    policy = Policy(
        sources=(
            FundingSource("apbdes", "APBDes Sukamulia", 100_000_000, areas=("52.03.07.1001",)),
            FundingSource("csr", "CSR Labuhan Haji", 100_000_000, areas=("52.03.08",)),
        ),
        deployment=("52.03",),
    )
    rows = [
        {"desa_id": "52.03.07.1001", "kecamatan_id": "52.03.07"},
        {"desa_id": "52.03.08.2001", "kecamatan_id": "52.03.08"},
        {"desa_id": "52.03.09.2001", "kecamatan_id": "52.03.09"},
    ]
    frame = eligibility(sample_frame(rows), policy, YEAR)
    assert frame.get_column("eligible").to_list() == [["apbdes"], ["csr"], []]
    assert _reasons(frame) == [None, None, "no_source"]


def test_a_worker_no_source_may_pay_for_gets_no_source() -> None:
    only_tobacco = dataclasses.replace(DEFAULT, sources=DEFAULT.sources[1:])
    assert _reasons(_run([{"occupation": "nelayan"}], only_tobacco)) == ["no_source"]


def test_already_sponsored_workers_are_left_out() -> None:
    frame = _run([{}, {}], already_sponsored={2})
    assert _reasons(frame) == [None, "already_sponsored"]


def test_the_reason_is_the_first_failed_criterion() -> None:
    everything_wrong = {
        "status": "pindah",
        "birth_date": datetime.date(2015, 1, 1),
        "desil": 9,
        "occupation": "sopir",
    }
    rows = [
        everything_wrong,
        {**everything_wrong, "status": "aktif"},
        {**everything_wrong, "status": "aktif", "birth_date": datetime.date(1980, 1, 1)},
        {"desil": 9, "occupation": "sopir"},
        {"occupation": "sopir"},
        {"occupation": "sopir", "desa_id": "52.01.01.2001", "kecamatan_id": "52.01.01"},
    ]
    policy = _with(occupations_excluded=("sopir",))
    frame = _run(rows, policy, already_sponsored={6})
    assert _reasons(frame) == ["status", "age", "desil", "desil", "occupation", "occupation"]


def test_priority_adds_the_documented_weights() -> None:
    policy = dataclasses.replace(
        DEFAULT,
        priority=Priority(
            desil=10,
            female_head=15,
            disability=7,
            high_risk_occupations=("nelayan",),
            high_risk=3,
            age_bands=(AgeBand(40, 65, 5), AgeBand(50, 65, 2)),
            nomination=20,
        ),
    )
    rows = [
        {  # 46 on 1 January 2027: desil 1 → (4 + 1 - 1) x 10 = 40
            "desil": 1,
            "female_head": True,
            "disability": True,
            "occupation": "nelayan",
            "birth_date": datetime.date(1980, 5, 28),
        },
        {"desil": 4, "birth_date": datetime.date(1970, 3, 1)},  # 56: both bands
        {"desil": 4, "birth_date": datetime.date(2000, 3, 1)},  # 26: no band
    ]
    frame = _run(rows, policy, nominations={1})
    assert explain(frame, 1) == {
        "desil": 40,
        "female_head": 15,
        "disability": 7,
        "high_risk": 3,
        "age": 5,
        "nomination": 20,
        "total": 90,
    }
    assert frame.get_column("priority").to_list() == [90, 10 + 5 + 2, 10]


def test_the_summary_counts_per_source_and_reason() -> None:
    frame = _run([{}, {"occupation": "petani_tembakau"}, {"desil": 7}, {"status": "pindah"}])
    counts = summary(frame, DEFAULT)
    assert counts["workers"] == 4
    assert counts["eligible"] == 2
    assert [(s.code, n) for s, n in counts["per_source"]] == [("apbd", 2), ("dbhcht", 1)]
    assert dict(counts["per_reason"])["desil"] == 1
    assert dict(counts["per_reason"])["status"] == 1
    assert dict(counts["per_reason"])["age"] == 0


def test_an_empty_frame_gives_empty_results() -> None:
    frame = eligibility(pl.DataFrame(schema=REGISTRY_SCHEMA), DEFAULT, YEAR)
    assert frame.height == 0
    assert summary(frame, DEFAULT)["eligible"] == 0


@pytest.mark.django_db
def test_registry_frame_reads_current_workers() -> None:
    kept = WorkerFactory(desil=3, female_head=True, occupation="nelayan")
    other = WorkerFactory(desil=None, disability=True, desa_id="52.03.08.2001")
    merged = WorkerFactory(merged_into=kept)
    frame = registry_frame()
    assert frame.schema == pl.Schema(REGISTRY_SCHEMA)
    ids = frame.get_column("id").to_list()
    assert kept.pk in ids
    assert other.pk in ids
    assert merged.pk not in ids
    row = frame.filter(pl.col("id") == kept.pk).row(0, named=True)
    assert row["nik"] == kept.nik
    assert row["birth_date"] == datetime.date(1980, 5, 28)
    assert row["desil"] == 3
    assert row["female_head"] is True
    assert row["disability"] is False
    assert row["kecamatan_id"] == "52.03.07"
    second = frame.filter(pl.col("id") == other.pk).row(0, named=True)
    assert second["desil"] is None
    assert second["disability"] is True
    assert Worker.objects.current().count() == frame.height


@pytest.mark.django_db
def test_registry_frame_of_an_empty_registry() -> None:
    assert registry_frame().height == 0


def test_the_default_eligibility_is_documented() -> None:
    assert Eligibility() == DEFAULT.eligibility
    assert (DEFAULT.eligibility.min_age, DEFAULT.eligibility.max_age) == (18, 65)


OCCUPATIONS = ["petani", "petani_tembakau", "nelayan", "pedagang"]
AREAS = ["52.03.07", "52.03.08", "52.03.07.1001"]


@given(
    workers=st.lists(
        st.fixed_dictionaries(
            {
                "occupation": st.sampled_from(OCCUPATIONS),
                "desa_id": st.sampled_from(["52.03.07.1001", "52.03.07.1002", "52.03.08.2001"]),
                "desil": st.sampled_from([1, 3, 5, None]),
            }
        ),
        max_size=30,
    ),
    restrictions=st.lists(
        st.tuples(
            st.lists(st.sampled_from(OCCUPATIONS), unique=True, max_size=2),
            st.lists(st.sampled_from(AREAS), unique=True, max_size=2),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_the_paying_sources_match_each_sources_restrictions(
    workers: list[dict[str, Any]], restrictions: list[tuple[list[str], list[str]]]
) -> None:
    rows = [{**w, "kecamatan_id": w["desa_id"][:8]} for w in workers]
    sources = tuple(
        FundingSource(f"s{i}", f"S{i}", 1, occupations=tuple(occ), areas=tuple(areas))
        for i, (occ, areas) in enumerate(restrictions)
    )
    policy = dataclasses.replace(DEFAULT, sources=sources)

    frame = _run(rows, policy)

    for row, eligible, reason in zip(
        rows, frame["eligible"].to_list(), frame["reason"].to_list(), strict=True
    ):
        payers = [
            s.code
            for s in sources
            if (not s.occupations or row["occupation"] in s.occupations)
            and (not s.areas or row["kecamatan_id"] in s.areas or row["desa_id"] in s.areas)
        ]
        if row["desil"] is None or row["desil"] > 4:
            assert reason in ("desil", "desil_missing") and eligible == []
        elif not payers:
            assert reason == "no_source" and eligible == []
        else:
            assert reason is None and eligible == payers
