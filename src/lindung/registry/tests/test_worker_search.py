"""The registry search: any word of a name, spelling variants, NIK/No. KK with separators, within
the user's wilayah; exact counts with page numbers; name tokens kept in step with every write."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin, operator_desa
from lindung.registry import queries, services
from lindung.registry.models import PossibleDuplicate, Worker, WorkerNameToken
from lindung.registry.name_index import rebuild_tokens
from lindung.registry.queries import PAGE_SIZE, WorkerFilter, page_links
from lindung.registry.tests.factories import WorkerFactory, nik_for
from lindung.registry.tests.test_import import BORN, NIK_1, csv_file, run_import
from lindung.registry.tests.test_worker_pages import api_urls  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

LIST = reverse("registry:worker-list")
PANCOR = "52.03.07.1001"  # Selong
SELONG = "52.03.07.1002"  # Selong
NIK = "5203072805800001"
NO_KK = "5203070101090002"


def _found(q: str, *, user: Any = None) -> list[str]:
    workers = queries.filter_workers(queries.visible_workers(user or admin()), WorkerFilter(q=q))
    return sorted(workers.values_list("name", flat=True))


def _tokens(worker: Worker) -> list[str]:
    return sorted(WorkerNameToken.objects.filter(worker=worker).values_list("token", flat=True))


def test_any_word_of_the_name_matches_from_its_start() -> None:
    WorkerFactory(name="Abdul Fahrurrozi")
    WorkerFactory(name="Fahrurrozi")
    WorkerFactory(name="Abdul Rozi")
    assert _found("fahrurrozi") == ["Abdul Fahrurrozi", "Fahrurrozi"]
    assert _found("fahru") == ["Abdul Fahrurrozi", "Fahrurrozi"]
    assert _found("rozi") == ["Abdul Rozi"]  # the start of a word, not its middle


def test_every_word_must_match_in_any_order() -> None:
    WorkerFactory(name="Abdul Fahrurrozi")
    WorkerFactory(name="Abdul Rozi")
    assert _found("fahrurrozi abdul") == ["Abdul Fahrurrozi"]
    assert _found("abd fah") == ["Abdul Fahrurrozi"]
    assert _found("abdul siti") == []


def test_spelling_variants_and_titles_are_ignored() -> None:
    for name in ("Muhammad Zohri", "M. Yusuf", "H. Moh. Sahwan", "Muhamad Idris", "Mahsun"):
        WorkerFactory(name=name)
    WorkerFactory(name="Lalu Fakhrurozi, S.Pd")
    muhammad = ["H. Moh. Sahwan", "M. Yusuf", "Muhamad Idris", "Muhammad Zohri"]
    assert _found("muhamad") == muhammad
    assert _found("muhammad") == muhammad
    assert _found("MOHAMMAD") == muhammad
    assert _found("fahrurrozi") == ["Lalu Fakhrurozi, S.Pd"]
    assert _found("h. fahrurrozi") == ["Lalu Fakhrurozi, S.Pd"]


def test_a_search_of_a_title_alone_finds_the_names_that_start_with_it() -> None:
    WorkerFactory(name="Lalu Ahmad", name_key="lalu ahmad")
    WorkerFactory(name="Ahmad", name_key="ahmad")
    assert _found("lalu") == ["Lalu Ahmad"]
    assert _found("lalu ahmad") == ["Ahmad", "Lalu Ahmad"]


def test_a_nik_or_no_kk_is_found_whatever_the_separators() -> None:
    WorkerFactory(name="Siti Aminah", nik=NIK, no_kk=NO_KK)
    WorkerFactory(name="Other", nik="5203082805800001")
    for q in (NIK, "5203 0728 0580 0001", "5203-07-280580-0001", "52.03.07.280580.0001"):
        assert _found(q) == ["Siti Aminah"], q
    assert _found("5207 0701 0109 0002".replace("5207", "5203")) == ["Siti Aminah"]  # No. KK
    assert _found("5203 07") == ["Siti Aminah"]  # a shorter run: the start of the NIK
    assert _found("5203") == ["Other", "Siti Aminah"]
    assert _found("5203079999999999") == []


def test_a_desa_operator_never_finds_a_worker_outside_their_desa() -> None:
    WorkerFactory(name="Muhammad Pancor", desa_id=PANCOR, nik=NIK)
    outside = WorkerFactory(name="Muhammad Selong", desa_id=SELONG)
    operator = operator_desa(PANCOR)
    assert _found("muhamad", user=operator) == ["Muhammad Pancor"]
    assert _found("selong", user=operator) == []
    assert _found(outside.nik, user=operator) == []
    assert _found(outside.nik[:8], user=operator) == ["Muhammad Pancor"]


def test_the_page_shows_an_exact_count_and_page_numbers(client: Client) -> None:
    for n in range(PAGE_SIZE * 3 + 7):
        WorkerFactory(name=f"Muhammad {n:03d}")
    WorkerFactory(name="Siti Aminah")
    client.force_login(admin())

    response = client.get(LIST, {"q": "muhamad"})
    html = response.content.decode()
    assert response.context["total"].count == PAGE_SIZE * 3 + 7
    assert "157 pekerja" in html or "157 workers" in html
    assert response.context["pages"].links == [1, 2, 3, 4]
    assert 'href="?q=muhamad&amp;page=2"' in html

    third = client.get(LIST, {"q": "muhamad", "page": "3"})
    names = [w.name for w in third.context["page"].workers]
    assert names[0] == f"Muhammad {PAGE_SIZE * 2:03d}" and len(names) == PAGE_SIZE
    assert third.context["pages"].previous == 2 and third.context["pages"].next == 4
    last = client.get(LIST, {"q": "muhamad", "page": "4"})
    assert len(last.context["page"].workers) == 7 and last.context["pages"].next is None
    beyond = client.get(LIST, {"q": "muhamad", "page": "999"})  # the last numbered page
    assert beyond.status_code == 200


def test_past_the_counted_pages_next_follows_a_cursor(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("lindung.registry.queries.COUNT_CAP", PAGE_SIZE * 2)
    for n in range(PAGE_SIZE * 3 + 5):
        WorkerFactory(name=f"Pekerja {n % 7}")
    expected = list(Worker.objects.order_by("name_key", "id").values_list("id", flat=True))
    client.force_login(admin())

    first = client.get(LIST)
    assert first.context["total"].more and first.context["pages"].links == [1, 2]
    second = client.get(LIST, {"page": "2"})
    cursor = second.context["pages"].next_cursor
    assert cursor and f'href="?after={cursor}"' in second.content.decode()
    seen = [w.pk for r in (first, second) for w in r.context["page"].workers]
    params = {"after": cursor}
    while True:
        response = client.get(LIST, params)
        seen += [w.pk for w in response.context["page"].workers]
        assert 'data-testid="first"' in response.content.decode()
        if not response.context["page"].next_cursor:
            break
        params = {"after": response.context["page"].next_cursor}
    assert seen == expected


def test_page_links_leave_out_the_middle() -> None:
    assert page_links(1, 40) == [1, 2, 3, None, 38, 39, 40]
    assert page_links(20, 40) == [1, 2, 3, None, 18, 19, 20, 21, 22, None, 38, 39, 40]
    assert page_links(5, 40) == [1, 2, 3, 4, 5, 6, 7, None, 38, 39, 40]
    assert page_links(1, 1) == [1]


def test_a_nik_search_is_ordered_by_nik_and_pages_by_it() -> None:
    for n in range(5):
        WorkerFactory(name=f"Z {n}", nik=f"520307280580{9 - n:04d}")
    workers = queries.filter_workers(queries.visible_workers(admin()), WorkerFilter(q="5203 07"))
    assert queries.order_field(WorkerFilter(q="5203 07")) == "nik"
    page = queries.worker_page(workers, size=2, order="nik", after="")
    assert [w.nik[-1] for w in page.workers] == ["5", "6"]
    rest = queries.worker_page(workers, size=2, order="nik", after=page.next_cursor or "")
    assert [w.nik[-1] for w in rest.workers] == ["7", "8"]


# --- the tokens stay in step with every write ---------------------------------------------------
def test_an_edit_of_the_name_rewrites_its_tokens() -> None:
    worker = WorkerFactory(name="Siti Aminah")
    assert _tokens(worker) == ["aminah", "siti"]
    services.update_worker(by=None, worker=worker, changes={"name": "Hj. Baiq Fatimah"})
    assert _tokens(worker) == ["patimah"]
    assert _found("aminah") == []
    assert _found("fathimah") == ["Hj. Baiq Fatimah"]
    services.update_worker(by=None, worker=worker, changes={"income": 5})
    assert _tokens(worker) == ["patimah"]


def test_a_merged_away_worker_is_no_longer_found() -> None:
    keep = WorkerFactory(name="Muhammad Zohri")
    other = WorkerFactory(name="Muhamad Johri")
    low, high = sorted((keep.pk, other.pk))
    pair = PossibleDuplicate.objects.create(worker_id=low, other_id=high, score=90)
    assert _found("zohri") == ["Muhamad Johri", "Muhammad Zohri"]
    services.merge_workers(by=None, duplicate=pair, keep=keep)
    assert _found("zohri") == ["Muhammad Zohri"]


def test_an_import_writes_the_tokens_of_new_and_renamed_workers(tmp_path: Path) -> None:
    nik_2 = nik_for("52.03.07", BORN, "L", 2)
    run_import(
        csv_file(
            tmp_path,
            f"1;{NIK_1};Abdul Fahrurrozi;L;28-05-1980;Pancor;Selong;Petani;;",
            f"2;{nik_2};M. Yusuf;L;28-05-1980;Pancor;Selong;Petani;;",
        )
    )
    assert _found("fahrurozi") == ["Abdul Fahrurrozi"]
    assert _found("muhammad") == ["M. Yusuf"]

    run_import(
        csv_file(tmp_path, f"1;{NIK_1};Abdul Rozak;L;28-05-1980;Pancor;Selong;Petani;;", name="2")
    )
    assert _found("fahrurozi") == []
    assert _found("rozak abdul") == ["Abdul Rozak"]
    assert _tokens(Worker.objects.get(nik=NIK_1)) == ["abdul", "rojak"]


def test_rebuilding_the_tokens_gives_the_same_tokens() -> None:
    workers = [WorkerFactory(name=n) for n in ("Siti Aminah", "H. Moh. Sahwan", "Lalu")]
    before = [_tokens(w) for w in workers]
    WorkerNameToken.objects.all().delete()
    assert rebuild_tokens() == 5
    assert [_tokens(w) for w in workers] == before


def test_a_bulk_rebuild_builds_the_search_indexes_again_after_the_rows(monkeypatch: Any) -> None:
    from django.db import connection

    from lindung.registry import name_index

    workers = [WorkerFactory(name=n) for n in ("Siti Aminah", "H. Moh. Sahwan", "Lalu")]
    before = [_tokens(w) for w in workers]
    monkeypatch.setattr(name_index, "BULK_TOKENS", 2)  # as a first import of a million workers

    assert rebuild_tokens() == 5

    assert [_tokens(w) for w in workers] == before
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, WorkerNameToken._meta.db_table
        )
    for index in WorkerNameToken._meta.indexes:
        assert constraints[index.name]["columns"] == [*index.fields[:-1], "worker_id"]
    assert _found("sahwan") == ["H. Moh. Sahwan"]


def test_the_backfill_migration_writes_tokens_for_existing_workers() -> None:
    # Its function, on the models as they stand after it (a real migrate would flush the database).
    from importlib import import_module
    from types import SimpleNamespace

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    backfill = import_module("lindung.registry.migrations.0005_backfill_worker_name_tokens")
    state = MigrationLoader(connection).project_state(
        ("registry", "0005_backfill_worker_name_tokens")
    )
    worker = WorkerFactory(name="Baiq Siti Aminah")
    merged = WorkerFactory(name="Baiq Siti Aminah", merged_into=worker)
    WorkerNameToken.objects.all().delete()
    backfill.backfill(state.apps, SimpleNamespace(connection=connection))  # it reads the alias
    assert _tokens(worker) == ["aminah", "siti"]
    assert _tokens(merged) == []


def test_a_word_with_several_prefixes_pages_through_them_in_order(client: Client) -> None:
    # "moh" is the start of Mohtar and an abbreviation of Muhammad: two ranges of tokens.
    for n in range(30):
        WorkerFactory(name=f"Mohtar {n:02d}")
        WorkerFactory(name=f"Muhammad {n:02d}")
        WorkerFactory(name=f"Moh. Mohtar {n:02d}")  # both: listed once
    client.force_login(admin())
    seen: list[str] = []
    for number in (1, 2):
        response = client.get(LIST, {"q": "moh", "page": str(number)})
        seen += [w.name for w in response.context["page"].workers]
    assert response.context["total"].count == 90
    assert len(seen) == len(set(seen)) == 90
    # by the matched word: "mohtar" (under "moh") before "muhamad", then by name
    assert all("Mohtar" in n for n in seen[:60]) and all("Muhammad" in n for n in seen[60:])
    first = client.get(LIST, {"q": "moh"}).context["page"]
    rest = queries.list_page(admin(), WorkerFilter(q="moh"), after=first.next_cursor or "")
    assert [w.name for w in first.workers + rest.workers] == seen


@pytest.mark.usefixtures("api_urls")
def test_the_api_searches_names_and_pages_with_a_cursor(client: Client) -> None:
    for n in range(PAGE_SIZE + 2):
        WorkerFactory(name=f"Moh. Sahwan {n:02d}", desa_id=PANCOR)
    WorkerFactory(name="Muhammad Selong", desa_id=SELONG)
    client.force_login(operator_desa(PANCOR))

    first = client.get("/api/workers/", {"q": "muhamad sahwan"}).json()
    assert len(first["items"]) == PAGE_SIZE and first["next_cursor"]
    second = client.get("/api/workers/", {"q": "muhamad sahwan", "cursor": first["next_cursor"]})
    names = [w["name"] for w in first["items"] + second.json()["items"]]
    assert names == [f"Moh. Sahwan {n:02d}" for n in range(PAGE_SIZE + 2)]
    assert second.json()["next_cursor"] is None
