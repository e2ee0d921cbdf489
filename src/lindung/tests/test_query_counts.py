"""The number of database queries of every main page, pinned so that an N+1 fails a test.

The data has several rows on every list (workers in three desa of two kecamatan, a possible
duplicate, an import and a move request each, two policy versions, two scenarios, an approved
list and its revision, the dashboard's cells), so a query per row would change the count. Each
page is opened once before it is counted, so process-level caches (region names, boundaries)
do not depend on the order the tests run in. A count that changes on purpose is updated here.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lindung.accounts.models import User
from lindung.accounts.tests.factories import (
    admin,
    operator_desa,
    operator_kecamatan,
    user_with_role,
)
from lindung.dashboard.aggregates import refresh
from lindung.registry import imports, services
from lindung.registry.models import ImportBatch, PossibleDuplicate, Sex, Worker
from lindung.registry.tests.factories import WorkerFactory, nik_for
from lindung.rules import policy
from lindung.rules.services import save_policy_version
from lindung.targeting.approval import approve
from lindung.targeting.models import BeneficiaryList, Scenario
from lindung.targeting.services import run_scenario

pytestmark = pytest.mark.django_db

YEAR = 2027
DESA = ("52.03.07.1001", "52.03.07.1002", "52.03.08.2001")  # Pancor, Kel. Selong, Bagik Papan
HEADER = "No;NIK;Nama Lengkap;JK;Tgl Lahir;Desa/Kelurahan;Kecamatan;Pekerjaan;Penghasilan"


@dataclass
class World:
    admin: User
    workers: list[Worker]
    pair: PossibleDuplicate
    batch: ImportBatch
    scenarios: list[Scenario]
    lists: list[BeneficiaryList]
    policy_number: int


def _workers(desa: str, serial: int) -> list[Worker]:
    """Four workers of `desa`, two of them a possible duplicate (same name and birth date)."""
    born = datetime.date(1960 + serial % 7, 4, 17)
    kecamatan = desa[:8]
    names = ["Inaq Rumah", "Baiq Sari", "Baiq Sari", "Amaq Lalu"]
    return [
        WorkerFactory(
            desa_id=desa,
            nik=nik_for(kecamatan, born, Sex.FEMALE, serial + n),
            name=name,
            name_key=name.lower(),
            sex=Sex.FEMALE,
            birth_date=born,
            desil=2 + n % 3,
        )
        for n, name in enumerate(names)
    ]


def _import(by: User, kecamatan: str, serial: int) -> ImportBatch:
    """A checked (not committed) file of three rows, one of them rejected."""
    born = datetime.date(1970, 1, 2)
    rows = [
        f"{n};{nik_for(kecamatan, born, Sex.MALE, serial + n)};{name};L;02-01-1970;Pancor;Selong;"
        "Petani;1.500.000"
        for n, name in enumerate(["Amaq Baru", "Lalu Baru", ""], 1)
    ]
    return imports.start_import(
        by=by,
        upload=io.BytesIO("\n".join([HEADER, *rows]).encode()),
        file_name=f"daftar-{serial}.csv",
        source="DTKS 2025",
    )


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    settings.VAR_DIR = tmp_path
    return build_world()


def build_world() -> World:
    """The data of every main page (also crawled as every role: tests/test_crawl.py)."""
    boss = admin(username="admin.counts")
    operators = [operator_desa(DESA[0], username="op.pancor"), operator_kecamatan("52.03.08")]
    workers = [w for n, desa in enumerate(DESA) for w in _workers(desa, 9100 + 100 * n)]
    pairs = [
        PossibleDuplicate.objects.create(worker=workers[i + 1], other=workers[i + 2], score=92)
        for i in range(0, len(workers), 4)
    ]
    for worker in workers[::4]:
        services.update_worker(by=boss, worker=worker, changes={"phone": "081299990000"})
    batches = [_import(boss, "52.03.07", 9500), _import(operators[0], "52.03.07", 9600)]
    for worker, desa in zip(workers[3::4], DESA[1:] + DESA[:1], strict=True):
        services.request_move(by=boss, worker=worker, target_desa=desa, fields={})
    current, _active = policy.active_policy()
    save_policy_version(by=boss, data=current.to_data(), name="Perbup 2026")
    number = save_policy_version(by=boss, data=current.to_data(), name="Perbup 2027").number
    first = run_scenario(by="test", fiscal_year=YEAR, budgets={"apbd": 10**10, "dbhcht": 0})
    approved = approve(by="test", scenario=first, decree="188.45/1/2027")
    smaller = run_scenario(by="test", fiscal_year=YEAR, budgets={"apbd": 5 * 12 * 16_800})
    revised = approve(by="test", scenario=smaller, note="APBD-P")
    refresh()
    return World(boss, workers, pairs[0], batches[0], [first, smaller], [approved, revised], number)


# page → (its path in the world, the queries it makes: the same on SQLite and PostgreSQL)
PAGES: dict[str, tuple[Callable[[World], str], int]] = {
    # + enrollment (issue 14): the participations per state, whether the admin sees the whole
    # deployment (the deployment and its codes, read by enrollment.queries.visible_batches) and
    # the batches and answers waiting
    # + claims (issue 16): deaths with no claim, files incomplete, BPJS late (three counts)
    "home (work overview)": (lambda w: "/", 22),
    "wilayah home": (lambda w: "/wilayah/", 7),
    "region detail": (lambda w: "/wilayah/52.03.07/", 8),
    "worker list": (lambda w: "/pekerja/", 8),
    "worker search": (lambda w: "/pekerja/?q=Baiq", 8),
    # + the enrollment section: participations (with wadah and batch) and the self-payment; the
    # coverage section: the worker's participations of this year (none: no ledger read)
    "worker detail": (lambda w: f"/pekerja/{w.workers[0].pk}/", 15),  # + claims: events, claims
    "worker edit": (lambda w: f"/pekerja/{w.workers[0].pk}/ubah/", 6),
    "duplicate list": (lambda w: "/pekerja/duplikat/", 5),
    "duplicate detail": (lambda w: f"/pekerja/duplikat/{w.pair.pk}/", 5),
    "import list": (lambda w: "/pekerja/impor/", 4),
    # + the deployment's areas (the admin's scope) and the possible duplicates to link to
    "import detail": (lambda w: f"/pekerja/impor/{w.batch.pk}/", 6),
    "move requests": (lambda w: "/pekerja/pindah/", 6),
    "rule versions": (lambda w: "/aturan/", 3),
    "rule version form": (lambda w: "/aturan/tambah/", 3),
    "calculator": (lambda w: "/aturan/kalkulator/", 5),
    # + the deployment and its areas: the kabupaten/kota whose policy the page shows (issue 17)
    "policy list": (lambda w: "/aturan/kebijakan/", 5),
    "policy detail": (lambda w: f"/aturan/kebijakan/{w.policy_number}/", 8),
    # + the user's wilayah and its kecamatan and desa, to pick quota areas by name
    # (issue 17: the kabupaten's latest version in one indexed read, no separate count)
    "policy edit": (lambda w: "/aturan/kebijakan/ubah/", 6),
    "scenario list": (lambda w: "/sasaran/", 7),  # + a scenario run in progress
    # 144 of them read RuleVersion: the cost of each source and month looks the rules up again.
    # + the deployment and its areas: scenarios of the user's kabupaten/kota only (issue 17)
    "scenario detail": (lambda w: f"/sasaran/{w.scenarios[0].pk}/", 25),
    "scenario compare": (
        lambda w: "/sasaran/banding/?" + "&".join(f"s={s.pk}" for s in w.scenarios),
        12,  # + the deployment and its areas (issue 17)
    ),
    # the totals stored at approval serve whoever sees the list's whole kabupaten/kota
    "list index": (lambda w: "/sasaran/daftar/", 5),
    "list detail": (lambda w: f"/sasaran/daftar/{w.lists[1].number}/", 16),  # + lampiran files
    # + whether a recount is running (its figures are then those of the last complete count)
    # + the user's wilayah for the realisation link (whole deployment only)
    "dashboard home": (lambda w: "/dasbor/", 23),
    "dashboard area": (lambda w: "/dasbor/?area=52.03.07", 24),
    "audit log": (lambda w: "/audit/", 3),
    "user list": (lambda w: "/akun/pengguna/", 7),
    "user detail": (lambda w: f"/akun/pengguna/{w.admin.pk}/", 5),
}


@pytest.mark.parametrize("page", PAGES)
def test_it_opens_each_page_with_a_fixed_number_of_queries(
    page: str, world: World, client: Client, django_assert_num_queries: Any
) -> None:
    client.force_login(world.admin)
    path, queries = PAGES[page]
    assert client.get(path(world)).status_code == 200  # warms the process-level caches
    with django_assert_num_queries(queries):
        response = client.get(path(world))
    assert response.status_code == 200


# Home pages of the roles other than admin (page → role's user, queries). Enrollment (issue 14)
# added the area's participations per state to the operators' (+1), and to BPJS's the batches
# and answers waiting (+1) after whether the user sees the whole deployment (+2: the deployment
# and its codes, read by enrollment.queries.visible_batches).
HOMES: dict[str, tuple[Callable[[], User], int]] = {
    "desa operator": (lambda: User.objects.get(username="op.pancor"), 20),  # + claims (3)
    "kecamatan operator": (lambda: User.objects.get(role="operator_kecamatan"), 20),
    "bpjs": (lambda: user_with_role("bpjs"), 10),
}


@pytest.mark.parametrize("role", HOMES)
def test_each_role_s_home_page_has_a_fixed_number_of_queries(
    role: str, world: World, client: Client, django_assert_num_queries: Any
) -> None:
    user, queries = HOMES[role]
    client.force_login(user())
    assert client.get("/").status_code == 200
    with django_assert_num_queries(queries):
        assert client.get("/").status_code == 200
