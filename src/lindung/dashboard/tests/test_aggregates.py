"""The dashboard's numbers equal independent SQL counts, and stay correct after changes."""

import datetime
import random
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from lindung.accounts.tests.factories import UserFactory, admin, operator_kecamatan
from lindung.dashboard.aggregates import refresh, state
from lindung.dashboard.queries import (
    BREAKDOWNS,
    Filters,
    breakdown,
    children,
    indicators,
    resolve_area,
)
from lindung.registry.imports import import_file
from lindung.registry.models import Occupation, Worker
from lindung.registry.services import set_worker_status
from lindung.registry.tests.factories import WorkerFactory
from lindung.registry.tests.test_import import HEADER, good_rows
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.models import BeneficiaryList
from lindung.targeting.services import run_scenario
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db
YEAR = 2027
YEAR_COST = 12 * 16_800
DESA = ["52.03.07.1001", "52.03.07.1002", "52.03.08.2001", "52.03.08.2002", "52.03.01.2001"]
OCCUPATIONS = [Occupation.PETANI, Occupation.PETANI_TEMBAKAU, Occupation.NELAYAN,
               Occupation.PEDAGANG]  # fmt: skip


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def registry() -> list[Worker]:
    """60 workers with seeded random desa, occupation, sex, desil, age and status."""
    rng = random.Random(7)
    return [
        WorkerFactory(
            desa_id=rng.choice(DESA),
            occupation=rng.choice(OCCUPATIONS),
            sex=rng.choice("LP"),
            desil=rng.choice([1, 2, 3, 4, 5, 7, None]),
            birth_date=datetime.date(rng.randint(1950, 2010), rng.randint(1, 12), 15),
            status=rng.choice(["aktif"] * 5 + ["meninggal"]),
        )
        for _ in range(60)
    ]


@pytest.fixture
def approved(registry: list[Worker]) -> BeneficiaryList:
    scenario = run_scenario(by="test", fiscal_year=YEAR,
                            budgets={"apbd": 12 * YEAR_COST, "dbhcht": 3 * YEAR_COST})  # fmt: skip
    return approve(by="test", scenario=scenario)


def _sql(query: str, params: list[Any] | None = None) -> dict[Any, Any]:
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        return {row[0]: row[1:] if len(row) > 2 else row[1] for row in cursor.fetchall()}


def _eligible_sql() -> str:
    """The default policy in SQL: aktif, desil 1-4, 18 to 65 on 1 January 2027, in 52.03."""
    return (
        "status = 'aktif' AND desil IS NOT NULL AND desil <= 4 "
        "AND birth_date > '1961-01-01' AND birth_date <= '2009-01-01' "
        "AND merged_into_id IS NULL"
    )


def test_kecamatan_figures_equal_sql_counts(approved: BeneficiaryList) -> None:
    refresh()
    user = admin()
    area = resolve_area(user, "52.03")

    rows = {row.code: row for row in children(user, area, Filters(YEAR))}

    registered = _sql("SELECT kecamatan_id, COUNT(*) FROM registry_worker "
                      "WHERE merged_into_id IS NULL GROUP BY kecamatan_id")  # fmt: skip
    eligible = _sql(
        f"SELECT kecamatan_id, COUNT(*) FROM registry_worker WHERE {_eligible_sql()} "  # noqa: S608
        "GROUP BY kecamatan_id"
    )
    sponsored = _sql(
        "SELECT kecamatan_id, COUNT(*), SUM(cost) FROM targeting_beneficiary "
        "WHERE beneficiary_list_id = %s GROUP BY kecamatan_id",
        [approved.pk],
    )
    assert len(rows) == 21  # every kecamatan, with or without workers
    for code, row in rows.items():
        assert row.registered.value == registered.get(code, 0), code
        assert row.eligible.value == eligible.get(code, 0), code
        assert row.sponsored.value == sponsored.get(code, (0, 0))[0], code
        assert row.cost == int(sponsored.get(code, (0, 0))[1] or 0), code


def test_source_figures_equal_the_approved_list(approved: BeneficiaryList) -> None:
    refresh()
    user = admin()

    figures = indicators(user, resolve_area(user, ""), Filters(YEAR))

    per_source = _sql("SELECT source, COUNT(*), SUM(cost) FROM targeting_beneficiary "
                      "WHERE beneficiary_list_id = %s GROUP BY source", [approved.pk])  # fmt: skip
    assert {s.code: (s.sponsored.value, s.cost) for s in figures.by_source} == {
        code: (n, int(cost)) for code, (n, cost) in per_source.items()
    } | {code: (0, 0) for code in approved.budgets if code not in per_source}
    assert {s.code: s.budget for s in figures.by_source} == approved.budgets
    assert figures.sponsored.value == approved.selected and figures.cost == approved.cost
    assert figures.registered.value == Worker.objects.count()


def test_it_counts_listed_workers_by_their_desil_even_when_merged_away_since(
    approved: BeneficiaryList,
) -> None:
    from lindung.dashboard.models import Cell, Dimension

    listed = list(approved.entries.order_by("worker_id").values_list("worker_id", flat=True)[:2])
    Worker.objects.filter(pk__in=listed).update(desil=3)
    keeper = Worker.objects.exclude(pk__in=listed).first()
    Worker.objects.filter(pk=listed[0]).update(merged_into=keeper, desil=2)
    refresh()

    per_desil = _sql(
        "SELECT COALESCE(w.desil, 0), COUNT(*) FROM targeting_beneficiary e "
        "LEFT JOIN registry_worker w ON w.id = e.worker_id "
        "WHERE e.beneficiary_list_id = %s GROUP BY COALESCE(w.desil, 0)",
        [approved.pk],
    )
    cells = Cell.objects.filter(fiscal_year=YEAR, dimension=Dimension.DESIL, sponsored__gt=0)
    counted: dict[int, int] = {}
    for key, sponsored in cells.values_list("key", "sponsored"):
        counted[int(key or 0)] = counted.get(int(key or 0), 0) + sponsored
    assert counted == per_desil
    assert counted[2] >= 1  # the merged-away worker keeps their record's desil


def test_every_breakdown_adds_up_to_the_totals(approved: BeneficiaryList) -> None:
    refresh()
    user = admin()
    for code in ("", "52.03.07", "52.03.08.2001"):
        area = resolve_area(user, code)
        for filters in (Filters(YEAR), Filters(YEAR, sex="P"), Filters(YEAR, source="apbd"),
                        Filters(YEAR, occupation=Occupation.NELAYAN)):  # fmt: skip
            totals = indicators(user, area, filters)
            for by in BREAKDOWNS:
                rows = breakdown(user, area, filters, by)  # type: ignore[arg-type]
                assert sum(r.registered.value or 0 for r in rows) == totals.registered.value
                if by != "month":  # the month of registration counts registry rows only
                    assert sum(r.sponsored.value or 0 for r in rows) == totals.sponsored.value


def test_filters_narrow_the_counts_like_sql(approved: BeneficiaryList) -> None:
    refresh()
    user = admin()
    area = resolve_area(user, "52.03.07")

    women = indicators(user, area, Filters(YEAR, sex="P", occupation=Occupation.PETANI))

    expected = Worker.objects.filter(
        kecamatan_id="52.03.07", sex="P", occupation=Occupation.PETANI
    ).count()
    assert women.registered.value == expected
    apbd = indicators(user, area, Filters(YEAR, source="apbd"))
    assert (
        apbd.sponsored.value
        == approved.entries.filter(kecamatan_id="52.03.07", source="apbd").count()
    )


def test_leadership_sees_no_small_cells() -> None:
    WorkerFactory.create_batch(3, desa_id="52.03.07.1001", desil=1)
    WorkerFactory.create_batch(6, desa_id="52.03.08.2001", desil=1)
    WorkerFactory.create_batch(5, desa_id="52.03.09.2002", desil=1)  # hidden with the 3
    refresh()
    leader = UserFactory(role=Role.PIMPINAN)

    rows = {r.code: r for r in children(leader, resolve_area(leader, ""), Filters(YEAR))}

    assert rows["52.03.07"].registered.value is None and rows["52.03.07"].registered.hidden
    assert rows["52.03.08"].registered.value == 6
    assert rows["52.03.01"].registered.value == 0  # zero is not a person
    officer = admin()
    assert {r.code: r for r in children(officer, resolve_area(officer, ""), Filters(YEAR))}[
        "52.03.07"
    ].registered.value == 3


def test_an_operator_cannot_look_outside_their_wilayah() -> None:
    from django.http import Http404

    operator = operator_kecamatan("52.03.07")
    assert resolve_area(operator, "").code == "52.03.07"
    with pytest.raises(Http404):
        resolve_area(operator, "52.03.08")


def test_an_import_marks_the_numbers_stale_and_the_rebuild_counts_it(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    refresh()
    path = tmp_path / "daftar.csv"
    path.write_text("\n".join([HEADER, *good_rows()]) + "\n", encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_file(by="test", path=path, source="DTKS")

    assert callbacks  # the rebuild was queued once the import committed (and ran: immediate)
    user = admin()
    assert indicators(user, resolve_area(user, ""), Filters(YEAR)).registered.value == 3
    assert state().stale_since is None and not state().queued


def test_an_approval_and_a_status_change_reach_the_numbers(
    registry: list[Worker], django_capture_on_commit_callbacks: Any
) -> None:
    refresh()
    user = admin()
    scenario = run_scenario(by="test", fiscal_year=YEAR, budgets={"apbd": 4 * YEAR_COST,
                                                                  "dbhcht": 0})  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        approve(by="test", scenario=scenario)
    assert indicators(user, resolve_area(user, ""), Filters(YEAR)).sponsored.value == 4

    alive = Worker.objects.filter(
        status="aktif",
        desil__lte=4,
        birth_date__gt=datetime.date(1961, 1, 1),
        birth_date__lte=datetime.date(2009, 1, 1),
    ).first()
    assert alive is not None
    before = indicators(user, resolve_area(user, ""), Filters(YEAR)).eligible.value or 0
    with django_capture_on_commit_callbacks(execute=True):
        set_worker_status(by=None, worker=alive, status="meninggal")
    after = indicators(user, resolve_area(user, ""), Filters(YEAR)).eligible.value
    assert after == before - 1


def test_a_hidden_count_hides_its_cost_too() -> None:
    WorkerFactory.create_batch(3, desa_id="52.03.07.1001", desil=1)
    WorkerFactory.create_batch(7, desa_id="52.03.08.2001", desil=1)
    WorkerFactory.create_batch(5, desa_id="52.03.09.2002", desil=1)  # hidden with the 3
    scenario = run_scenario(by="test", fiscal_year=YEAR, budgets={"apbd": 15 * YEAR_COST,
                                                                  "dbhcht": 0})  # fmt: skip
    approve(by="test", scenario=scenario)
    refresh()
    leader = UserFactory(role=Role.PIMPINAN)

    rows = {r.code: r for r in children(leader, resolve_area(leader, ""), Filters(YEAR))}

    assert rows["52.03.07"].sponsored.hidden and rows["52.03.07"].cost is None
    assert rows["52.03.08"].sponsored.value == 7 and rows["52.03.08"].cost == 7 * YEAR_COST


def test_a_deployment_of_two_kabupaten_shows_them_side_by_side() -> None:
    from lindung.regions.models import Deployment

    Deployment.objects.get(pk=1).areas.set(["52.03", "52.01"])
    WorkerFactory.create_batch(2, desil=1)  # Lombok Timur
    WorkerFactory.create_batch(3, desil=1, desa_id=_first_desa("52.01"))  # Lombok Barat
    refresh()
    user = admin()

    area = resolve_area(user, "")
    rows = {r.code: r for r in children(user, area, Filters(YEAR))}

    assert area.region is None and set(area.codes) == {"52.03", "52.01"}
    assert rows["52.03"].registered.value == 2 and rows["52.01"].registered.value == 3
    assert indicators(user, area, Filters(YEAR)).registered.value == 5
    client = english_client()
    client.force_login(user)
    page = client.get(reverse("dashboard:home"), {"tahun": YEAR})
    assert page.status_code == 200
    assert 'data-testid="drill-52.03"' in page.content.decode()
    assert 'data-testid="drill-52.01"' in page.content.decode()


def _first_desa(kabupaten: str) -> str:
    from lindung.regions.models import Region

    return str(
        Region.objects.filter(code__startswith=kabupaten + ".", level=4)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
