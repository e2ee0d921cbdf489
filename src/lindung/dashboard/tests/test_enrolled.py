""" "Enrolled with BPJS" (terdaftar di BPJS) beside "sponsored": participations TERDAFTAR of the
fiscal year, per area and funding source, with the same scope and small-cell rules."""

import datetime
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, operator_kecamatan
from lindung.dashboard.aggregates import refresh, state
from lindung.dashboard.queries import BREAKDOWNS, Filters, breakdown, children, indicators
from lindung.dashboard.queries import resolve_area as area_of
from lindung.enrollment.answers.service import commit, receive
from lindung.enrollment.batches import batch_files, create_batch
from lindung.enrollment.models import Participation, State, Wadah, WadahType
from lindung.enrollment.synth import fake_answer
from lindung.registry.models import Occupation
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.models import BeneficiaryList
from lindung.targeting.services import run_scenario
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db
YEAR = 2027
YEAR_COST = 12 * 16_800
HOME = {"address": "Dusun Lauk Rurung", "birth_place": "Selong", "desil": 1}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _approve(apbd: int, dbhcht: int = 0) -> BeneficiaryList:
    budgets = {"apbd": apbd * YEAR_COST, "dbhcht": dbhcht * YEAR_COST}
    scenario = run_scenario(by="test", fiscal_year=YEAR, budgets=budgets)
    return approve(by="test", scenario=scenario, decree="188.45/1/2027")


def _register(participations: QuerySet[Participation]) -> int:
    """Mark participations registered by the branch (what a committed answer does)."""
    done = 0
    for pk in participations.order_by("pk").values_list("pk", flat=True):
        Participation.objects.filter(pk=pk).update(
            state=State.TERDAFTAR, kpj=str(10_000_000_000 + pk), effective_from=datetime.date(
                YEAR, 1, 1)
        )  # fmt: skip
        done += 1
    return done


def _sql(query: str, params: list[Any]) -> dict[Any, int]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {row[0]: row[1] for row in cursor.fetchall()}


@pytest.fixture
def spread() -> BeneficiaryList:
    """Workers in five desa of three kecamatan on list 1 (APBD, and DBHCHT for the tobacco
    farmers of Pringgabaya); every other
    participation registered, one rejected, one still submitted, one ended."""
    for desa, count in (("52.03.07.1001", 6), ("52.03.07.1002", 5), ("52.03.08.2001", 7),
                        ("52.03.08.2002", 4), ("52.03.09.2002", 6)):  # fmt: skip
        tobacco = Occupation.PETANI_TEMBAKAU if desa.startswith("52.03.08") else Occupation.PETANI
        WorkerFactory.create_batch(
            count, desa_id=desa, sex="P" if count % 2 else "L", occupation=tobacco, **HOME
        )
    approved = _approve(apbd=20, dbhcht=8)
    ids = list(Participation.objects.order_by("pk").values_list("pk", flat=True))
    _register(Participation.objects.filter(pk__in=ids[::2]))
    Participation.objects.filter(pk=ids[1]).update(state=State.DITOLAK, reason="Dukcapil")
    Participation.objects.filter(pk=ids[3]).update(state=State.DIAJUKAN)
    Participation.objects.filter(pk=ids[5]).update(state=State.BERAKHIR, end_reason="died")
    refresh()
    return approved


def test_it_counts_the_registered_participations_per_area_and_source(
    spread: BeneficiaryList,
) -> None:
    user = admin()
    rows = {r.code: r for r in children(user, area_of(user, "52.03"), Filters(YEAR))}
    figures = indicators(user, area_of(user, ""), Filters(YEAR))

    per_kecamatan = _sql(
        "SELECT kecamatan_id, COUNT(*) FROM enrollment_participation "
        "WHERE fiscal_year = %s AND state = 'TERDAFTAR' GROUP BY kecamatan_id",
        [YEAR],
    )
    per_source = _sql(
        "SELECT source, COUNT(*) FROM enrollment_participation "
        "WHERE fiscal_year = %s AND state = 'TERDAFTAR' GROUP BY source",
        [YEAR],
    )
    assert sum(per_kecamatan.values()) == figures.enrolled.value > 0
    assert len(per_source) == 2  # both sources have registered workers
    for code, row in rows.items():
        assert row.enrolled.value == per_kecamatan.get(code, 0), code
        assert row.enrolled.value <= (row.sponsored.value or 0)
    assert {s.code: s.enrolled.value for s in figures.by_source} == per_source
    apbd = indicators(user, area_of(user, ""), Filters(YEAR, source="apbd"))
    assert apbd.enrolled.value == per_source["apbd"]
    # another fiscal year has none
    assert indicators(user, area_of(user, ""), Filters(YEAR + 1)).enrolled.value == 0


def test_every_breakdown_of_the_enrolled_adds_up_to_their_total(spread: BeneficiaryList) -> None:
    user = admin()
    for code in ("", "52.03.07", "52.03.08.2001"):
        area = area_of(user, code)
        for filters in (Filters(YEAR), Filters(YEAR, sex="P"), Filters(YEAR, source="dbhcht")):
            total = indicators(user, area, filters).enrolled.value
            for by in BREAKDOWNS:
                if by == "month":  # the month of registration counts registry rows only
                    continue
                rows = breakdown(user, area, filters, by)  # type: ignore[arg-type]
                assert sum(r.enrolled.value or 0 for r in rows) == total, (code, filters, by)


def test_an_operator_counts_the_enrolled_of_their_kecamatan_only(spread: BeneficiaryList) -> None:
    operator = operator_kecamatan("52.03.08")
    client = english_client()
    client.force_login(operator)

    figures = client.get("/api/v1/dashboard/indicators", {"fiscal_year": YEAR}).json()

    expected = Participation.objects.filter(
        fiscal_year=YEAR, state=State.TERDAFTAR, kecamatan_id="52.03.08"
    ).count()
    assert figures["area"] == "52.03.08"
    assert figures["enrolled"] == expected > 0
    assert sum(a["enrolled"] for a in figures["areas"]) == expected
    assert {a["code"] for a in figures["areas"] if a["enrolled"]} <= {
        "52.03.08.2001",
        "52.03.08.2002",
    }
    outside = client.get("/api/v1/dashboard/indicators", {"area": "52.03.07"})
    assert outside.status_code == 404


@pytest.fixture
def small() -> None:
    """Registered with BPJS: 3 workers in Selong, 6 in Pringgabaya, 5 in another kecamatan."""
    WorkerFactory.create_batch(3, desa_id="52.03.07.1001", **HOME)
    WorkerFactory.create_batch(6, desa_id="52.03.08.2001", **HOME)
    WorkerFactory.create_batch(5, desa_id="52.03.09.2002", **HOME)
    _approve(apbd=14)
    assert _register(Participation.objects.all()) == 14
    refresh()


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("small")
def test_leadership_sees_no_small_count_of_the_enrolled() -> None:
    leader = UserFactory(role=Role.PIMPINAN)

    rows = {r.code: r for r in children(leader, area_of(leader, ""), Filters(YEAR))}

    assert rows["52.03.07"].enrolled.hidden and rows["52.03.07"].enrolled.value is None
    assert rows["52.03.09"].enrolled.hidden  # 5: hidden with the 3, or it would tell them
    assert rows["52.03.08"].enrolled.value == 6
    assert rows["52.03.01"].enrolled.value == 0  # zero is not a person
    officer = admin()
    assert {r.code: r for r in children(officer, area_of(officer, ""), Filters(YEAR))}[
        "52.03.07"
    ].enrolled.value == 3
    api = _client(leader).get("/api/v1/dashboard/indicators", {"fiscal_year": YEAR}).json()
    assert api["enrolled"] == 14
    by_code = {a["code"]: a for a in api["areas"]}
    assert by_code["52.03.07"]["enrolled"] is None and by_code["52.03.08"]["enrolled"] == 6
    # one source holds them all: its count is the total, shown
    assert [s["enrolled"] for s in api["by_source"] if s["code"] == "apbd"] == [14]


@pytest.mark.usefixtures("small")
def test_the_page_the_map_and_the_xlsx_show_the_enrolled_as_the_api_does() -> None:
    leader = _client(UserFactory(role=Role.PIMPINAN))

    page = leader.get(reverse("dashboard:home"), {"tahun": YEAR, "indikator": "enrolled"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="ind-enrolled">14<' in html
    assert "enrolled with BPJS Ketenagakerjaan" in html
    assert page.context["indicator_label"] == "Workers enrolled with BPJS"
    table = leader.get(reverse("dashboard:table"), {"tabel": "areas", "tahun": YEAR})
    frame = pl.read_excel(
        io.BytesIO(b"".join(table.streaming_content)), read_options={"header_row": 4}
    )
    shown = dict(
        zip(frame["Code"].to_list(), frame["Enrolled (BPJS)"].cast(pl.String), strict=True)
    )
    assert (shown["52.03.07"], shown["52.03.08"], shown["52.03.01"]) == ("x", "6", "0")


def test_a_committed_answer_reaches_the_dashboard_after_the_recount(
    django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    WorkerFactory.create_batch(8, **HOME)
    wadah = Wadah.objects.create(
        code="SG-APBD", name="Pekerja Rentan APBD", source="apbd", type_code=WadahType.SG
    )
    with django_capture_on_commit_callbacks(execute=True):  # each change recounted after it
        approved = _approve(apbd=8)
    with django_capture_on_commit_callbacks(execute=True):
        batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah)
    user = admin()
    assert indicators(user, area_of(user, ""), Filters(YEAR)).enrolled.value == 0
    answer_file = tmp_path / "jawaban.xlsx"
    fake_answer(batch_files(batch)["xlsx"], answer_file, seed=3)
    answer = receive(by="test", batch=batch, source=answer_file, file_name="jawaban.xlsx")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        commit(by="test", answer=answer)

    assert callbacks  # ANSWER_COMMITTED moves the numbers: the recount ran after the commit
    registered = Participation.objects.filter(state=State.TERDAFTAR).count()
    assert registered > 0
    assert indicators(user, area_of(user, ""), Filters(YEAR)).enrolled.value == registered
    assert state().stale_since is None
