"""No count hidden from leadership follows from the counts they are shown (secondary
suppression): the pure rule, and the pages, API and downloads built on it."""

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin
from lindung.dashboard.aggregates import refresh
from lindung.dashboard.disclosure import SMALL_CELL, protect, suppress
from lindung.dashboard.queries import BREAKDOWN_NAMES, Filters, breakdown, resolve_area
from lindung.registry.models import Occupation
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
from lindung.ui.tests.clients import english_client

YEAR = 2027
YEAR_COST = 12 * 16_800
SELONG = ["52.03.07.1001", "52.03.07.1002", "52.03.07.1003"]
OTHERS = ["52.03.08.2001", "52.03.09.2002"]

counts = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12)


def _safe(values: Sequence[int], hide: Sequence[bool]) -> bool:
    hidden = [v for v, h in zip(values, hide, strict=True) if h]
    return not hidden or (len(hidden) >= 2 and sum(hidden) >= SMALL_CELL)


@given(counts)
def test_a_group_hides_none_or_at_least_two_and_every_small_count(values: list[int]) -> None:
    hide = protect(values)

    assert all(h for v, h in zip(values, hide, strict=True) if 0 < v < SMALL_CELL)
    assert not any(h for v, h in zip(values, hide, strict=True) if v == 0)
    if sum(values) >= SMALL_CELL:  # a smaller total is itself hidden
        assert _safe(values, hide)


@given(counts, st.lists(st.booleans(), max_size=12))
def test_a_hidden_cell_stays_hidden_and_a_hidden_total_hides_its_parts(
    values: list[int], already: list[bool]
) -> None:
    hide = protect(values, already)
    assert all(h for v, h, a in zip(values, hide, already, strict=False) if v and a)
    assert protect(values, total_hidden=True) == [v > 0 for v in values]


@given(st.lists(counts, min_size=1, max_size=6))
def test_suppression_of_a_tree_leaves_no_group_with_one_hidden_cell(
    desa_of_kecamatan: list[list[int]],
) -> None:
    cells: dict[str, int] = {}
    groups: list[tuple[str, list[str]]] = []
    for k, desa in enumerate(desa_of_kecamatan):
        names = [f"{k}.{d}" for d in range(len(desa))]
        cells.update(zip(names, desa, strict=True))
        cells[str(k)] = sum(desa)
        groups.append((str(k), names))
    cells[""] = sum(cells[str(k)] for k in range(len(desa_of_kecamatan)))
    groups.append(("", [str(k) for k in range(len(desa_of_kecamatan))]))

    hidden = suppress(cells, groups)

    assert {key for key, value in cells.items() if 0 < value < SMALL_CELL} <= hidden
    for total, parts in groups:
        values = [cells[p] for p in parts]
        flags = [p in hidden for p in parts]
        if total in hidden:
            assert all(f for v, f in zip(values, flags, strict=True) if v)
        elif cells[total] >= SMALL_CELL:
            assert _safe(values, flags)


# --- the dashboard -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def registry() -> None:
    """Selong's Pancor has 3 workers, its other desa 6 and 9; two more kecamatan 7 and 12."""
    sizes = dict(zip([*SELONG, *OTHERS], [3, 6, 9, 7, 12], strict=True))
    jobs = [Occupation.PETANI, Occupation.NELAYAN, Occupation.PEDAGANG]
    for desa, size in sizes.items():
        for i in range(size):
            WorkerFactory(desa_id=desa, desil=1 + i % 3, occupation=jobs[i % 3], sex="LP"[i % 2])
    scenario = run_scenario(by="test", fiscal_year=YEAR,
                            budgets={"apbd": 20 * YEAR_COST, "dbhcht": 0})  # fmt: skip
    approve(by="test", scenario=scenario)
    refresh()


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


def _assert_not_recoverable(total: int | None, parts: Sequence[int | None], what: str) -> None:
    """Neither a hidden part nor a hidden total follows from what is shown."""
    hidden = [p for p in parts if p is None]
    if total is None:
        assert hidden or not any(parts), f"{what}: the parts add up to the hidden total"
        return
    shown = sum(p for p in parts if p is not None)
    assert len(hidden) != 1, f"{what}: one hidden part = {total} - {shown}"
    assert not hidden or total - shown >= SMALL_CELL, f"{what}: hidden parts hold {total - shown}"


MEASURES = ("registered", "eligible", "sponsored")


@pytest.mark.django_db
def test_no_hidden_count_follows_from_the_shown_ones(registry: None) -> None:
    leader = _client(UserFactory(role=Role.PIMPINAN))

    def api(area: str) -> dict[str, Any]:
        response = leader.get("/api/v1/dashboard/indicators", {"area": area})
        assert response.status_code == 200
        result: dict[str, Any] = response.json()
        return result

    top = api("")
    seen = {"": top}
    for kecamatan in ["52.03.07", "52.03.08", "52.03.09"]:
        seen[kecamatan] = api(kecamatan)
    for desa in [*SELONG, *OTHERS]:
        seen[desa] = api(desa)

    selong = {a["code"]: a for a in seen["52.03.07"]["areas"]}
    assert selong["52.03.07.1001"]["registered"] is None  # 3 workers
    assert seen["52.03.07"]["registered"] == 18
    for code, figures in seen.items():
        for measure in MEASURES:
            children = [a[measure] for a in figures["areas"]]
            _assert_not_recoverable(figures[measure], children, f"{code} {measure} by area")
            for child in figures["areas"]:  # the same count is treated alike on its own page
                if child["code"] in seen:
                    assert child[measure] == seen[child["code"]][measure], (child, measure)
                    if child[measure] is None:
                        assert child["cost"] is None or measure != "sponsored"
        sources = [s["sponsored"] for s in figures["by_source"]]
        _assert_not_recoverable(figures["sponsored"], sources, f"{code} by source")
        for source in figures["by_source"]:
            assert (source["sponsored"] is None) == (source["cost"] is None)


@pytest.mark.django_db
def test_no_hidden_count_follows_from_a_breakdown(registry: None) -> None:
    user = UserFactory(role=Role.PIMPINAN)
    leader = _client(user)

    for code in ["", "52.03.07", *SELONG]:
        page = leader.get(reverse("dashboard:home"), {"area": code, "tahun": YEAR})
        figures = page.context["figures"]
        for by in BREAKDOWN_NAMES:
            rows = page.context["charts"][by]
            for measure in MEASURES:
                if by == "month" and measure == "sponsored":
                    continue  # the month of registration counts registered workers only
                total = getattr(figures, measure).value
                parts = [getattr(r, measure).value for r in rows]
                _assert_not_recoverable(total, parts, f"{code} {measure} by {by}")

    # a category of the unfiltered desa is the total of the filtered one, decided alike
    area = resolve_area(user, "52.03.07.1002")
    jobs = {r.key: r for r in breakdown(user, area, Filters(YEAR), "occupation")}
    for job, row in jobs.items():
        filtered = leader.get(
            "/api/v1/dashboard/indicators",
            {"area": "52.03.07.1002", "occupation": job, "fiscal_year": YEAR},
        ).json()
        assert filtered["registered"] == row.registered.value, job


@pytest.mark.django_db
def test_the_xlsx_table_hides_what_the_api_hides(registry: None) -> None:
    user = UserFactory(role=Role.PIMPINAN)
    leader = _client(user)
    response = leader.get(
        reverse("dashboard:table"), {"tabel": "areas", "area": "52.03.07", "tahun": YEAR}
    )

    frame = pl.read_excel(
        io.BytesIO(b"".join(response.streaming_content)), read_options={"header_row": 4}
    )
    api = leader.get("/api/v1/dashboard/indicators", {"area": "52.03.07"}).json()
    for area in api["areas"]:
        row = frame.filter(pl.col("Code") == area["code"]).row(0, named=True)
        shown = row["Registered"]
        assert (shown == "x") == (area["registered"] is None), area
    pancor = frame.filter(pl.col("Code") == "52.03.07.1001").row(0, named=True)
    assert pancor["Registered"] == "x"
    hidden = frame.filter(pl.col("Registered").cast(pl.String) == "x").height
    assert hidden >= 2


@pytest.mark.django_db
def test_other_roles_see_every_count(registry: None) -> None:
    figures = _client(admin()).get("/api/v1/dashboard/indicators", {"area": "52.03.07"}).json()

    assert {a["code"]: a["registered"] for a in figures["areas"]}["52.03.07.1001"] == 3
    assert figures["registered"] == 18


@pytest.mark.django_db
def test_the_kecamatan_pdf_hides_what_the_page_hides(registry: None) -> None:
    from pypdf import PdfReader

    leader = _client(UserFactory(role=Role.PIMPINAN))
    response = leader.get(reverse("dashboard:kecamatan-pdf"), {"area": "52.03.07", "tahun": YEAR})

    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    pancor = next(line for line in text.splitlines() if line.startswith("Pancor"))
    assert pancor.split()[1] == "x" and "x: hidden so that nobody" in text
