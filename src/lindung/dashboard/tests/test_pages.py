"""The dashboard pages, map data and downloads, per role and wilayah."""

import datetime
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, operator_kecamatan
from lindung.dashboard.aggregates import refresh
from lindung.dashboard.models import Snapshot, SnapshotDay
from lindung.regions.models import Boundary, Level, Region
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db
YEAR_COST = 12 * 16_800


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def square(index: int, size: float = 0.02) -> dict[str, Any]:
    lng, lat = 116.4 + (index % 6) * size, -8.5 - (index // 6) * size
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat - size], [lng, lat - size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def boundaries() -> None:
    """A square per kecamatan of Lombok Timur and per desa of Selong (52.03.07)."""
    regions = list(Region.objects.filter(parent_id="52.03", level=Level.KECAMATAN)) + list(
        Region.objects.filter(parent_id="52.03.07", level=Level.DESA_KELURAHAN)
    )
    for i, region in enumerate(regions):
        geometry = square(i)
        Boundary.objects.update_or_create(
            region=region,
            defaults={"geometry": geometry, "min_lng": 0, "min_lat": 0, "max_lng": 1, "max_lat": 1},
        )


@pytest.fixture
def data() -> None:
    WorkerFactory.create_batch(8, desil=1)  # Pancor, Selong
    WorkerFactory.create_batch(3, desil=2, desa_id="52.03.08.2001")  # Pringgabaya
    scenario = run_scenario(by="test", fiscal_year=2027,
                            budgets={"apbd": 6 * YEAR_COST, "dbhcht": 0})  # fmt: skip
    approve(by="test", scenario=scenario)
    boundaries()
    refresh()


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


def test_the_dashboard_shows_indicators_areas_and_charts(data: None) -> None:
    page = _client(admin()).get(reverse("dashboard:home"), {"tahun": 2027})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="ind-registered">11<' in html
    assert 'data-testid="ind-sponsored">6<' in html
    assert 'data-testid="dashboard-map"' in html and "Selong" in html
    for by in ("occupation", "sex", "age", "desil", "month"):
        assert f'id="chart-data-{by}"' in html


def test_drilling_down_reaches_the_desa_and_the_worker_list(data: None) -> None:
    client = _client(admin())
    kecamatan = client.get(reverse("dashboard:home"), {"area": "52.03.07", "tahun": 2027})
    assert 'data-testid="drill-52.03.07.1001"' in kecamatan.content.decode()
    assert 'data-testid="kecamatan-pdf"' in kecamatan.content.decode()

    desa = client.get(reverse("dashboard:home"), {"area": "52.03.07.1001", "tahun": 2027})

    html = desa.content.decode()
    assert 'data-testid="ind-registered">8<' in html
    assert 'data-testid="worker-list-link"' in html and "desa=52.03.07.1001" in html


def test_leadership_sees_aggregates_only(data: None) -> None:
    leader = _client(UserFactory(role=Role.PIMPINAN))

    page = leader.get(reverse("dashboard:home"), {"area": "52.03.08", "tahun": 2027})

    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="ind-registered">x<' in html
    assert 'data-testid="hidden-note"' in html
    assert 'data-testid="worker-list-link"' not in html
    assert "NIK" not in html


def test_an_operator_sees_their_kecamatan_and_nothing_else(data: None) -> None:
    client = _client(operator_kecamatan("52.03.07"))
    own = client.get(reverse("dashboard:home"))
    assert own.status_code == 200 and 'data-testid="ind-registered">8<' in own.content.decode()
    assert client.get(reverse("dashboard:home"), {"area": "52.03.08"}).status_code == 404
    assert client.get(reverse("dashboard:map"), {"area": "52.03.08"}).status_code == 404


def test_the_map_data_colours_every_kecamatan_and_links_to_it(data: None) -> None:
    response = _client(admin()).get(reverse("dashboard:map"), {"tahun": 2027})

    collection = response.json()
    features = {f["properties"]["code"]: f["properties"] for f in collection["features"]}
    assert len(features) == 21
    selong = features["52.03.07"]
    assert selong["value"] == 6 and selong["display"] == "6"
    assert selong["url"].startswith(reverse("dashboard:home")) and "area=52.03.07" in selong["url"]
    assert selong["color"] != features["52.03.01"]["color"]
    assert collection["legend"]


def test_a_table_downloads_as_xlsx(data: None) -> None:
    response = _client(admin()).get(reverse("dashboard:table"), {"tabel": "areas", "tahun": 2027})

    content = b"".join(response.streaming_content)
    frame = pl.read_excel(io.BytesIO(content), read_options={"header_row": 4})
    selong = frame.filter(pl.col("Code") == "52.03.07").row(0, named=True)
    assert selong["Registered"] == 8 and selong["Sponsored"] == 6


def test_the_summary_pdf_has_the_indicators_and_the_map(data: None) -> None:
    response = _client(admin()).get(reverse("dashboard:summary-pdf"), {"tahun": 2027})

    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Registered BPU workers" in text and "Highest share covered" in text
    content = reader.pages[0].get_contents()
    assert content is not None and b" f*" in content.get_data()  # filled map polygons


def test_the_kecamatan_pdf_lists_its_desa(data: None) -> None:
    response = _client(admin()).get(
        reverse("dashboard:kecamatan-pdf"), {"area": "52.03.07", "tahun": 2027}
    )

    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Pancor" in text and "By occupation" in text


def test_only_an_admin_recounts(data: None) -> None:
    assert _client(operator_kecamatan()).post(reverse("dashboard:refresh")).status_code == 403
    response = _client(admin()).post(
        reverse("dashboard:refresh"), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")


def test_the_summary_carries_the_chosen_date(data: None) -> None:
    response = _client(admin()).get(
        reverse("dashboard:summary-pdf"), {"tahun": 2027, "tanggal": "2027-03-15"}
    )

    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert "15 March 2027" in reader.pages[0].extract_text()
    assert "2027-03-15" in response["Content-Disposition"]


def test_the_kecamatan_report_needs_a_kecamatan(data: None) -> None:
    response = _client(admin()).get(reverse("dashboard:kecamatan-pdf"), {"area": "52.03"})
    assert response.status_code == 404


def test_without_boundaries_the_areas_are_ranked_in_a_table() -> None:
    WorkerFactory.create_batch(2, desil=1)
    WorkerFactory.create_batch(5, desil=1, desa_id="52.03.08.2001")
    refresh()

    page = _client(admin()).get(reverse("dashboard:home"), {"indikator": "registered"})

    html = page.content.decode()
    assert 'data-testid="no-map"' in html and 'data-testid="dashboard-map"' not in html
    ranked = list(html.split('data-testid="drill-')[1:])
    assert ranked[0].startswith("52.03.08") and ranked[1].startswith("52.03.07")


def test_without_a_year_the_page_shows_the_year_of_the_latest_list(data: None) -> None:
    page = _client(admin()).get(reverse("dashboard:home"))

    html = page.content.decode()
    assert '<option value="2027" selected>' in html
    assert 'data-testid="ind-sponsored">6<' in html
    assert "tahun=2027" in html  # drill-down links carry the year


def test_the_api_gives_the_same_figures(data: None) -> None:
    figures = _client(admin()).get("/api/v1/dashboard/indicators", {"fiscal_year": 2027}).json()

    assert (figures["registered"], figures["sponsored"]) == (11, 6)
    areas = {a["code"]: a for a in figures["areas"]}
    assert areas["52.03.07"]["sponsored"] == 6 and len(areas) == 21
    leader = _client(UserFactory(role=Role.PIMPINAN))
    hidden = leader.get("/api/v1/dashboard/indicators", {"area": "52.03.08"}).json()
    assert hidden["registered"] is None and hidden["fiscal_year"] == 2027
    assert (
        _client(operator_kecamatan())
        .get("/api/v1/dashboard/indicators", {"area": "52.03.08"})
        .status_code
        == 404
    )


def _move_snapshot_back(days: int) -> datetime.date:
    """Pretend today's snapshot was taken `days` ago."""
    from django.utils import timezone

    past = timezone.localdate() - datetime.timedelta(days=days)
    Snapshot.objects.filter(day=timezone.localdate()).update(day=past)
    day = SnapshotDay.objects.get(day=timezone.localdate())
    SnapshotDay.objects.create(day=past, taken_at=day.taken_at, budgets=day.budgets,
                               lists=day.lists)  # fmt: skip
    day.delete()
    return past


def test_a_summary_of_a_past_date_shows_that_days_figures(data: None) -> None:
    past = _move_snapshot_back(10)
    WorkerFactory.create_batch(4, desil=1)  # registered after that day
    refresh()
    client = _client(admin())

    then = client.get(
        reverse("dashboard:summary-pdf"),
        {"tahun": 2027, "tanggal": (past + datetime.timedelta(days=2)).isoformat()},
    )
    now = client.get(reverse("dashboard:summary-pdf"), {"tahun": 2027})

    text_then = PdfReader(io.BytesIO(b"".join(then.streaming_content))).pages[0].extract_text()
    text_now = PdfReader(io.BytesIO(b"".join(now.streaming_content))).pages[0].extract_text()
    assert "Registered BPU workers 11" in text_then.replace("\n", " ")
    assert "Registered BPU workers 15" in text_now.replace("\n", " ")
    before = client.get(
        reverse("dashboard:summary-pdf"),
        {"tahun": 2027, "tanggal": (past - datetime.timedelta(days=1)).isoformat()},
    )
    text_before = PdfReader(io.BytesIO(b"".join(before.streaming_content))).pages[0].extract_text()
    assert "No figures were recorded" in text_before


def test_the_trend_shows_each_snapshot_day(data: None) -> None:
    _move_snapshot_back(3)
    WorkerFactory.create_batch(2, desil=1)
    refresh()

    page = _client(admin()).get(reverse("dashboard:home"), {"tahun": 2027})

    html = page.content.decode()
    assert 'id="chart-data-trend"' in html
    script = html.split('id="chart-data-trend"')[1].split(">", 1)[1].split("</script>")[0]
    chart = json.loads(script)
    assert chart["datasets"][0]["data"] == [11, 13]  # eligible: 8 + 3, then 2 more
    assert chart["datasets"][1]["data"] == [6, 6]
