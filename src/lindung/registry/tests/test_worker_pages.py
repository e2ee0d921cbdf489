import datetime
import io
import zipfile
from typing import Any
from urllib.parse import urlencode

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from lindung.accounts.models import User
from lindung.accounts.tests.factories import (
    admin,
    operator_desa,
    operator_kecamatan,
    user_with_role,
)
from lindung.audit.models import Event
from lindung.jobs.models import Job
from lindung.registry.models import (
    Occupation,
    Sex,
    Source,
    Worker,
    WorkerSource,
    WorkerStatus,
)
from lindung.registry.queries import PAGE_SIZE, birth_date_range
from lindung.registry.tests.factories import SourceFactory, WorkerFactory
from lindung.roles import CAPABILITIES, Capability, Role

pytestmark = pytest.mark.django_db

LIST = reverse("registry:worker-list")
EXPORT = reverse("registry:worker-export")
PANCOR = "52.03.07.1001"  # Selong
SELONG = "52.03.07.1002"  # Selong
APIT_AIK = "52.03.08.2002"  # Pringgabaya
NIK = "5203072805800001"
NO_KK = "5203070101090002"


def _detail(worker: Worker) -> str:
    return reverse("registry:worker-detail", args=[worker.pk])


def _names(client: Client, **params: Any) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [w.name for w in response.context["page"].workers]


def _years_ago(days: int = 0, *, years: int) -> datetime.date:
    """The birth date of someone who turns `years` in `days` days (today in WITA)."""
    today = timezone.localdate() + datetime.timedelta(days=days)
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@pytest.fixture
def siti() -> Worker:
    return WorkerFactory(
        nik=NIK,
        no_kk=NO_KK,
        name="Siti Aminah",
        name_key="siti aminah",
        phone="081234567890",
        address="Jl. Pahlawan 7",
        income=1_500_000,
        desil=2,
    )


# --- access and masking --------------------------------------------------------------------------
@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PIMPINAN])
def test_every_role_that_sees_persons_sees_the_list(client: Client, role: str) -> None:
    WorkerFactory(name="Baiq Nur")
    client.force_login(user_with_role(role))
    assert _names(client) == ["Baiq Nur"]


def test_the_list_needs_a_login(client: Client) -> None:
    assert client.get(LIST).status_code == 302


def test_pimpinan_gets_403_on_the_list_its_search_and_the_detail(
    client: Client, siti: Worker
) -> None:
    client.force_login(user_with_role(Role.PIMPINAN))
    for url in (LIST, f"{LIST}?q={NIK}", _detail(siti)):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Siti Aminah" not in response.content.decode()


def test_a_role_without_view_nik_sees_nik_and_kk_masked(
    client: Client, siti: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CAPABILITIES, Role.BPJS, frozenset({Capability.VIEW_PERSONS}))
    client.force_login(user_with_role(Role.BPJS))
    for url in (LIST, _detail(siti)):
        html = client.get(url).content.decode()
        assert NIK not in html and NO_KK not in html, url
        assert "Siti Aminah" in html
    assert "5203********0001" in client.get(LIST).content.decode()
    detail = client.get(_detail(siti)).content.decode()
    assert "5203********0001" in detail and "5203********0002" in detail


def test_an_operator_sees_nik_kk_and_contact_details(client: Client, siti: Worker) -> None:
    client.force_login(operator_kecamatan("52.03.07"))
    html = client.get(_detail(siti)).content.decode()
    assert NIK in html and NO_KK in html and "081234567890" in html and "Jl. Pahlawan 7" in html
    assert "Rp1.500.000" in html


def test_an_operator_kecamatan_sees_only_their_kecamatan(client: Client) -> None:
    WorkerFactory(name="Amaq Selong", desa_id=SELONG)
    outside = WorkerFactory(name="Amaq Apit Aik", desa_id=APIT_AIK)
    client.force_login(operator_kecamatan("52.03.07"))

    assert _names(client) == ["Amaq Selong"]
    assert _names(client, q=outside.nik) == []
    assert client.get(_detail(outside)).status_code == 404
    assert client.get(reverse("registry:worker-edit", args=[outside.pk])).status_code == 404


def test_an_operator_desa_sees_only_their_desa(client: Client) -> None:
    WorkerFactory(name="Amaq Pancor", desa_id=PANCOR)
    other = WorkerFactory(name="Amaq Selong", desa_id=SELONG)
    client.force_login(operator_desa(PANCOR))
    assert _names(client) == ["Amaq Pancor"]
    assert client.get(_detail(other)).status_code == 404


def test_a_filter_outside_the_scope_is_refused_and_ignored(client: Client) -> None:
    WorkerFactory(name="Amaq Selong", desa_id=SELONG)
    client.force_login(operator_kecamatan("52.03.07"))
    response = client.get(LIST, {"kecamatan": "52.03.08", "desa": APIT_AIK})
    assert set(response.context["form"].errors) == {"kecamatan", "desa"}
    assert [w.name for w in response.context["page"].workers] == ["Amaq Selong"]


# --- filters and search -------------------------------------------------------------------------
def test_each_filter_narrows_the_rows(client: Client) -> None:
    dtks, p3ke = SourceFactory(name="DTKS"), SourceFactory(name="P3KE")
    a = WorkerFactory(name="A", desa_id=PANCOR, occupation=Occupation.NELAYAN, desil=1)
    b = WorkerFactory(name="B", desa_id=SELONG, sex=Sex.FEMALE, desil=None)
    WorkerFactory(name="C", desa_id=APIT_AIK, status=WorkerStatus.MENINGGAL, desil=10)
    WorkerSource.objects.create(worker=a, source=dtks)
    WorkerSource.objects.create(worker=b, source=p3ke)
    client.force_login(admin())

    assert _names(client) == ["A", "B", "C"]
    assert _names(client, kecamatan="52.03.07") == ["A", "B"]
    assert _names(client, desa=SELONG) == ["B"]
    assert _names(client, occupation=Occupation.NELAYAN) == ["A"]
    assert _names(client, desil="1") == ["A"]
    assert _names(client, desil="10") == ["C"]
    assert _names(client, desil="none") == ["B"]
    assert _names(client, sex=Sex.FEMALE) == ["B"]
    assert _names(client, status=WorkerStatus.MENINGGAL) == ["C"]
    assert _names(client, source=dtks.pk) == ["A"]
    assert _names(client, kecamatan="52.03.07", sex=Sex.MALE) == ["A"]


def test_the_age_filter_counts_whole_years_in_wita(client: Client) -> None:
    WorkerFactory(name="Turns 18 today", birth_date=_years_ago(years=18))
    WorkerFactory(name="Turns 18 tomorrow", birth_date=_years_ago(1, years=18))
    WorkerFactory(name="Is 65", birth_date=_years_ago(1, years=66))
    WorkerFactory(name="Is 66", birth_date=_years_ago(years=66))
    client.force_login(admin())

    assert _names(client, age="<18") == ["Turns 18 tomorrow"]
    assert _names(client, age="18-25") == ["Turns 18 today"]
    assert _names(client, age="56-65") == ["Is 65"]
    assert _names(client, age=">65") == ["Is 66"]


def test_age_bands_handle_29_february() -> None:
    today = datetime.date(2024, 2, 29)
    assert birth_date_range("18-25", today) == (
        datetime.date(1998, 2, 28),
        datetime.date(2006, 2, 28),
    )
    assert birth_date_range("<18", today) == (datetime.date(2006, 2, 28), None)
    assert birth_date_range(">65", today) == (None, datetime.date(1958, 2, 28))


def test_search_by_whole_nik_nik_prefix_and_name_words(client: Client, siti: Worker) -> None:
    WorkerFactory(name="Sitti Rahmah", name_key="sitti rahmah", desa_id=APIT_AIK)
    WorkerFactory(name="Lalu Siti", name_key="lalu siti")
    client.force_login(admin())

    assert _names(client, q=NIK) == ["Siti Aminah"]
    assert _names(client, q="520307") == ["Siti Aminah", "Lalu Siti"]  # by NIK
    assert _names(client, q="5203 08") == ["Sitti Rahmah"]
    assert _names(client, q="  SITI   am") == ["Siti Aminah"]
    # any word of the name (Sitti is a spelling of Siti), titles dropped
    assert _names(client, q="Siti") == ["Lalu Siti", "Siti Aminah", "Sitti Rahmah"]
    assert _names(client, q="Hj. Siti ami") == ["Siti Aminah"]
    assert _names(client, q="rahmah sit") == ["Sitti Rahmah"]
    assert _names(client, q="5203079999999999") == []


# --- paging and counts --------------------------------------------------------------------------
def test_page_numbers_return_every_row_once(client: Client) -> None:
    for n in range(PAGE_SIZE + 30):  # ties on the name: the id breaks them
        WorkerFactory(name=f"Pekerja {n % 7}", name_key=f"pekerja {n % 7}")
    expected = list(Worker.objects.order_by("name_key", "id").values_list("id", flat=True))
    client.force_login(admin())

    first = client.get(LIST)
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(LIST, {"page": "2"})
    assert 'href="?page=1"' in second.content.decode()
    seen = [w.pk for r in (first, second) for w in r.context["page"].workers]
    assert seen == expected


def test_a_tampered_cursor_shows_the_first_page(client: Client) -> None:
    WorkerFactory(name="A")
    client.force_login(admin())
    for cursor in ("not-base64!", "bm90IGpzb24", "WzEsMl0"):
        assert _names(client, after=cursor) == ["A"]


def test_the_count_is_capped(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lindung.registry.queries.COUNT_CAP", 3)
    for _ in range(5):
        WorkerFactory()
    client.force_login(admin())
    response = client.get(LIST)
    assert (response.context["total"].count, response.context["total"].more) == (3, True)
    monkeypatch.setattr("lindung.registry.queries.COUNT_CAP", 5)
    total = client.get(LIST).context["total"]
    assert (total.count, total.more) == (5, False)


def test_the_list_query_count_does_not_grow_with_workers(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(PAGE_SIZE + 5):
        WorkerFactory()
    client.force_login(operator_kecamatan("52.03.07"))
    # session, user, user's region (topbar), deployment, its areas, wilayah choices, sources,
    # one page of workers (with desa and kecamatan), the capped count
    with django_assert_num_queries(9):
        response = client.get(LIST, {"occupation": Occupation.PETANI})
    assert len(response.context["page"].workers) == PAGE_SIZE


def test_htmx_gets_only_the_table(client: Client) -> None:
    WorkerFactory(name="Baiq Nur")
    client.force_login(admin())
    response = client.get(LIST, {"q": "baiq"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="worker-table"')
    assert "Baiq Nur" in html and "<form" not in html
    assert "HX-Request" in response["Vary"]


# --- detail -------------------------------------------------------------------------------------
def test_the_detail_shows_sources_and_history_newest_first(client: Client, siti: Worker) -> None:
    WorkerSource.objects.create(worker=siti, source=SourceFactory(name="DTKS 2025"))
    client.force_login(admin())
    client.post(reverse("registry:worker-edit", args=[siti.pk]), _form_data(siti, desil="3"))
    client.post(reverse("registry:worker-edit", args=[siti.pk]), _form_data(siti, desil="4"))

    response = client.get(_detail(siti))
    assert "DTKS 2025" in response.content.decode()
    history = response.context["history"]
    assert [(c.field, c.before, c.after) for row in history for c in row.changes] == [
        ("desil", "3", "4"),
        ("desil", "2", "3"),
    ]


def test_the_history_names_fields_and_choices_as_people_read_them(
    client: Client, siti: Worker
) -> None:
    client.force_login(admin())
    client.post(
        reverse("registry:worker-edit", args=[siti.pk]),
        _form_data(siti, occupation="nelayan", disability="on"),
    )

    html = client.get(_detail(siti)).content.decode()
    history = html[html.index('data-testid="worker-history"') :]
    assert ">Pekerjaan</th>" in history and ">Disabilitas</th>" in history
    assert "Nelayan" in history and ">ya<" in history
    assert ">occupation<" not in history and ">nelayan<" not in history


def test_a_merged_record_stays_reachable_for_admins_only(client: Client) -> None:
    kept = WorkerFactory(name="Kept")
    gone = WorkerFactory(name="Gone", merged_into=kept)
    client.force_login(admin())
    assert _names(client) == ["Kept"]
    response = client.get(_detail(gone))
    assert response.status_code == 200
    assert _detail(kept) in response.content.decode()
    assert 'data-testid="merged-notice"' in response.content.decode()

    client.force_login(operator_kecamatan("52.03.07"))
    assert client.get(_detail(gone)).url == _detail(kept)
    assert client.get(reverse("registry:worker-edit", args=[gone.pk])).status_code == 404


# --- edit ---------------------------------------------------------------------------------------
def _form_data(worker: Worker, **changes: str) -> dict[str, str]:
    data = {
        "name": worker.name,
        "no_kk": worker.no_kk,
        "sex": worker.sex,
        "birth_date": worker.birth_date.isoformat(),
        "birth_place": worker.birth_place,
        "phone": worker.phone,
        "address": worker.address,
        "desa": worker.desa_id,
        "occupation": worker.occupation,
        "income": "" if worker.income is None else str(worker.income),
        "desil": "" if worker.desil is None else str(worker.desil),
        "status": worker.status,
    }
    if worker.disability:
        data["disability"] = "on"
    if worker.female_head:
        data["female_head"] = "on"
    return {**data, **changes}


def test_edit_writes_an_audit_event_with_the_changed_fields(client: Client, siti: Worker) -> None:
    editor = operator_kecamatan("52.03.07")
    client.force_login(editor)
    url = reverse("registry:worker-edit", args=[siti.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _form_data(siti, desa=SELONG, income="2000000", female_head="on"))
    assert response.status_code == 302 and response.url == _detail(siti)
    siti.refresh_from_db()
    assert (siti.desa_id, siti.income, siti.female_head) == (SELONG, 2_000_000, True)
    event = Event.objects.get(action="worker_updated")
    assert (event.actor, event.object_type, event.object_id) == (
        editor,
        "registry.worker",
        str(siti.pk),
    )
    assert event.before == {"desa": PANCOR, "income": 1_500_000, "female_head": False}
    assert event.after == {"desa": SELONG, "income": 2_000_000, "female_head": True}
    assert event.batch is None


def test_saving_an_unchanged_form_records_nothing(client: Client, siti: Worker) -> None:
    client.force_login(admin())
    client.post(reverse("registry:worker-edit", args=[siti.pk]), _form_data(siti))
    assert not Event.objects.filter(action="worker_updated").exists()


def test_edit_offers_only_desa_in_scope(client: Client, siti: Worker) -> None:
    client.force_login(operator_kecamatan("52.03.07"))
    url = reverse("registry:worker-edit", args=[siti.pk])
    response = client.post(url, _form_data(siti, desa=APIT_AIK))
    assert response.status_code == 200 and "desa" in response.context["form"].errors
    siti.refresh_from_db()
    assert siti.desa_id == PANCOR


@pytest.mark.parametrize("role", [Role.BPJS, Role.PIMPINAN, Role.AUDITOR])
def test_roles_without_edit_data_cannot_edit(client: Client, siti: Worker, role: str) -> None:
    client.force_login(user_with_role(role))
    assert client.get(reverse("registry:worker-edit", args=[siti.pk])).status_code == 403


# --- export -------------------------------------------------------------------------------------
def _export(client: Client, params: dict[str, str] | None = None) -> Any:
    """Start the export (a job, run in the request in tests) and download its file."""
    started = client.post(f"{EXPORT}?{urlencode(params or {})}")
    assert started.status_code == 302, started.status_code
    job = Job.objects.latest("created_at")
    assert job.status == "done", job.error
    return client.get(reverse("jobs:download", args=[job.pk]))


def _sheet(response: Any) -> pl.DataFrame:
    content = b"".join(response.streaming_content)
    return pl.read_excel(io.BytesIO(content), schema_overrides={"NIK": pl.String})


def test_the_export_holds_the_filtered_rows_as_text_and_is_audited(
    client: Client, siti: Worker
) -> None:
    WorkerFactory(name="Outside the filter", desa_id=SELONG)
    viewer: User = user_with_role(Role.BPJS)
    client.force_login(viewer)

    response = _export(client, {"desa": PANCOR})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = _sheet(response)
    assert sheet.height == 1
    assert sheet.row(0)[:3] == (NIK, NO_KK, "Siti Aminah")

    exported = Event.objects.get(action="workers_exported")
    assert exported.actor == viewer and exported.object_type == "registry.worker"
    assert exported.after == {"filters": {"desa": PANCOR}, "rows": 1}


def test_the_export_writes_nik_as_text_cells(client: Client, siti: Worker) -> None:
    client.force_login(admin())
    content = b"".join(_export(client).streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as xlsx:
        sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
    assert f'<c r="A2" t="inlineStr"><is><t>{NIK}</t></is></c>' in sheet  # text, not a number
    assert f'<c r="B2" t="inlineStr"><is><t>{NO_KK}</t></is></c>' in sheet
    assert "<f>" not in sheet


def test_the_export_masks_nik_for_roles_without_view_nik(
    client: Client, siti: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CAPABILITIES, Role.BPJS, frozenset({Capability.VIEW_PERSONS}))
    client.force_login(user_with_role(Role.BPJS))
    nik, no_kk = _sheet(_export(client)).row(0)[:2]
    assert (nik, no_kk) == ("5203********0001", "5203********0002")


def test_pimpinan_cannot_export(client: Client, siti: Worker) -> None:
    client.force_login(user_with_role(Role.PIMPINAN))
    assert client.post(EXPORT).status_code == 403
    assert not Event.objects.filter(action="workers_exported").exists()


def test_an_operator_exports_only_their_wilayah(client: Client, siti: Worker) -> None:
    WorkerFactory(name="Amaq Apit Aik", desa_id=APIT_AIK)
    client.force_login(operator_kecamatan("52.03.07"))
    assert _sheet(_export(client)).get_column("NIK").to_list() == [NIK]


# --- API ----------------------------------------------------------------------------------------
@pytest.fixture
def api_urls(settings: Any) -> None:
    """The registry router mounted as the lead will mount it in lindung/api.py."""
    settings.ROOT_URLCONF = "lindung.registry.tests.test_worker_pages"


def _api_urlconf() -> list[Any]:
    from django.urls import path
    from ninja import NinjaAPI
    from ninja.security import django_auth

    from lindung.registry.api import router

    api = NinjaAPI(auth=django_auth, urls_namespace="registry-api-test")
    api.add_router("/", router)
    return [path("api/", api.urls)]


urlpatterns = _api_urlconf()


def test_the_api_lists_workers_with_filters_and_a_cursor(
    client: Client, api_urls: None, siti: Worker
) -> None:
    for n in range(PAGE_SIZE):
        WorkerFactory(name=f"Amaq {n:02d}", name_key=f"amaq {n:02d}")
    WorkerFactory(name="Amaq Apit Aik", name_key="amaq apit aik", desa_id=APIT_AIK)
    client.force_login(operator_kecamatan("52.03.07"))

    first = client.get("/api/workers/").json()
    assert len(first["items"]) == PAGE_SIZE and first["next_cursor"]
    second = client.get("/api/workers/", {"cursor": first["next_cursor"]}).json()
    assert [w["name"] for w in second["items"]] == ["Siti Aminah"]
    assert second["next_cursor"] is None
    found = client.get("/api/workers/", {"q": "siti", "desil": "2"}).json()["items"]
    assert [(w["nik"], w["phone"]) for w in found] == [(NIK, "081234567890")]
    assert client.get("/api/workers/", {"age": "old"}).status_code == 422


def test_the_api_looks_a_worker_up_by_a_nik_in_the_body_within_the_wilayah(
    client: Client, api_urls: None, siti: Worker
) -> None:
    outside = WorkerFactory(desa_id=APIT_AIK)
    client.force_login(operator_kecamatan("52.03.07"))

    def lookup(nik: str) -> Any:
        return client.post("/api/workers/lookup", {"nik": nik}, content_type="application/json")

    worker = lookup(NIK).json()
    assert (worker["nik"], worker["no_kk"], worker["phone"]) == (NIK, NO_KK, "081234567890")
    assert lookup("5203 0728 0580 0001").json()["id"] == siti.pk
    assert lookup("5203-0728-0580-0001").json()["id"] == siti.pk
    unknown, out_of_scope = lookup("5203070000000000"), lookup(outside.nik)
    assert unknown.status_code == out_of_scope.status_code == 404
    assert unknown.content == out_of_scope.content  # nothing tells them apart


def test_the_api_needs_a_login(client: Client, api_urls: None) -> None:
    assert client.get("/api/workers/").status_code == 401
    lookup = client.post("/api/workers/lookup", {"nik": NIK}, content_type="application/json")
    assert lookup.status_code == 401


def test_sources_are_listed_once_per_source(client: Client, siti: Worker) -> None:
    WorkerSource.objects.create(worker=siti, source=SourceFactory(name="DTKS"))
    WorkerSource.objects.create(worker=siti, source=SourceFactory(name="P3KE"))
    client.force_login(admin())
    assert _names(client) == ["Siti Aminah"]  # the source join does not repeat rows
    assert _names(client, source=Source.objects.get(name="P3KE").pk) == ["Siti Aminah"]
