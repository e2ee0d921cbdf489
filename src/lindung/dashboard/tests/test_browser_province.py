"""A provincial officer's view of an installation serving three kabupaten/kota of Nusa Tenggara
Barat: the dashboard opens on the province, its map shows the kabupaten/kota coloured and
named, a click on Lombok Timur opens its kecamatan, then Selong's desa; the breadcrumb leads
back to the province, the table into Kota Mataram; the province's summary and report PDFs
carry its map.

The polygons are the published ones from LINDUNG_SHARED_DATA (the Indonesia kabupaten/kota and
kecamatan files, not repaired, and Lombok Timur's desa) when it holds them, squares otherwise,
so the screenshots in test-artifacts/ show the maps as people see them."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from pypdf import PdfReader

from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.dashboard.aggregates import refresh
from lindung.dashboard.tests.test_browser_dashboard import _pdf_shot
from lindung.dashboard.tests.test_pages import square
from lindung.regions.loaders import read_tree
from lindung.regions.models import Boundary, Deployment, Level, Region
from lindung.registry.models import Occupation, Sex
from lindung.registry.tests.factories import WorkerFactory
from lindung.ui.tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVINCE = ("52.01", "52.03", "52.71")  # Lombok Barat, Lombok Timur, Kota Mataram
_TREE: list[Region] = []


def _province() -> None:
    """The 52 subtrees of the three and the deployment of them (reinserted for each
    transactional test)."""
    if not _TREE:
        rows = read_tree(django_settings.LINDUNG_AREA_DATA)
        _TREE.extend(
            Region(code=c, name=n, name_key=k, level=lv, type=t, parent_id=p)
            for c, n, k, lv, t, p in rows
            if c == "52" or c[:5] in PROVINCE
        )
    Region.objects.bulk_create(_TREE, ignore_conflicts=True)
    deployment, _ = Deployment.objects.get_or_create(pk=1, defaults={"name": "NTB"})
    deployment.areas.set(PROVINCE)


def _workers() -> None:
    """Workers in the first desa of some kecamatan of each, more in some than in others."""
    occupations = [Occupation.PETANI, Occupation.NELAYAN, Occupation.PEDAGANG]
    serial = 0
    for kabupaten, per_kecamatan in (("52.01", 9), ("52.03", 6), ("52.71", 4)):
        kecamatan = Region.objects.filter(parent_id=kabupaten).order_by("code")
        for i, region in enumerate(kecamatan[:6]):
            desa = Region.objects.filter(parent_id=region.code).order_by("code").first()
            assert desa is not None
            for _n in range(per_kecamatan + 3 * i):
                serial += 1
                WorkerFactory(desa_id=desa.code, desil=1 + serial % 4,
                              occupation=occupations[serial % 3],
                              sex=Sex.FEMALE if serial % 2 else Sex.MALE)  # fmt: skip
    # Selong's desa for the last step down
    for desa in Region.objects.filter(parent_id="52.03.07").order_by("code")[:5]:
        WorkerFactory.create_batch(5, desa_id=desa.code, desil=2)


def _boundaries(tmp_path: Path) -> None:
    """The published polygons of the three, their kecamatan and Selong's desa (squares when
    they are not there)."""
    folder = Path(django_settings.LINDUNG_SHARED_DATA)
    names = ["indonesia_kabupaten_kota.geojson", "indonesia_kecamatan.geojson",
             "lombok_timur_desa.geojson"]  # fmt: skip
    if not all((folder / name).exists() for name in names):
        regions = list(Region.objects.filter(code__in=PROVINCE))
        regions += list(Region.objects.filter(parent_id__in=[*PROVINCE, "52.03.07"]))
        for i, region in enumerate(regions):
            Boundary.objects.update_or_create(
                region=region,
                defaults={"geometry": square(i, 0.02), "min_lng": 0, "min_lat": 0,
                          "max_lng": 1, "max_lat": 1},
            )  # fmt: skip
        return
    for name in names:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        kept = [f for f in data["features"] if f["properties"]["kode"][:5] in PROVINCE]
        if name.startswith("lombok"):
            kept = [f for f in kept if f["properties"]["kode"].startswith("52.03.07.")]
        path = tmp_path / name
        path.write_text(json.dumps({"type": "FeatureCollection", "features": kept}))
        call_command("regions", "load-boundaries", str(path), verbosity=0)


def _map_ready(page: Any) -> None:
    page.wait_for_selector("[data-testid=dashboard-map][data-map-ready='1']")
    page.wait_for_selector("canvas[data-chart-ready='1']")


def _shots(page: Any, name: str) -> None:
    path = screenshot(page, name).with_name(f"{name}-map.png")
    page.locator("[data-testid=dashboard-map]").screenshot(path=str(path))


def test_the_province_drills_into_a_kabupaten_and_back(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    _province()
    settings.VAR_DIR = tmp_path
    _workers()
    _boundaries(tmp_path)
    refresh()
    user = admin(username="admin.provinsi")
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")

    page.goto(live_server.url + "/dasbor/?tahun=2027&indikator=registered")
    _map_ready(page)
    assert page.locator("[data-testid=dashboard-title]").inner_text() == (
        "Provinsi Nusa Tenggara Barat"
    )
    map_areas = page.locator("[data-testid=dashboard-map] path[data-code]")
    assert sorted(map_areas.evaluate_all("els => els.map(e => e.dataset.code)")) == list(PROVINCE)
    # kabupaten named without "Kabupaten" on the map, every one
    label = page.locator("[data-testid=dashboard-map] .map-label[data-label='52.01'] span")
    assert label.inner_text() == "Lombok Barat" and label.is_visible()
    assert page.locator("[data-testid=areas] tbody tr").count() == 3
    assert page.locator("[data-testid=unmapped]").count() == 0
    _shots(page, "dashboard-province")

    page.locator("[data-testid=dashboard-map] path[data-code='52.03']").click()
    page.wait_for_url("**area=52.03**")
    _map_ready(page)
    assert page.locator("[data-testid=dashboard-title]").inner_text() == "Kabupaten Lombok Timur"
    trail = page.locator("[data-testid=dashboard-trail]")
    assert trail.locator("a", has_text="Provinsi Nusa Tenggara Barat").count() == 1
    kecamatan = Region.objects.filter(parent_id="52.03", level=Level.KECAMATAN).count()
    assert page.locator("[data-testid=dashboard-map] path[data-code]").count() == kecamatan
    _shots(page, "dashboard-province-kabupaten")

    page.locator("[data-testid=dashboard-map] path[data-code='52.03.07']").click()
    page.wait_for_url("**area=52.03.07**")
    _map_ready(page)
    assert "Selong" in page.locator("[data-testid=dashboard-title]").inner_text()
    assert page.locator("[data-testid=dashboard-map] path[data-code]").count() >= 5
    _shots(page, "dashboard-province-kecamatan")

    trail = page.locator("[data-testid=dashboard-trail]")
    trail.locator("a", has_text="Provinsi Nusa Tenggara Barat").click()
    page.wait_for_url(lambda url: "area=" not in url)
    _map_ready(page)
    page.click("[data-testid='drill-52.71']")
    page.wait_for_url("**area=52.71**")
    _map_ready(page)
    assert page.locator("[data-testid=dashboard-title]").inner_text() == "Kota Mataram"
    assert page.locator("[data-testid=dashboard-map] path[data-code]").count() == (
        Region.objects.filter(parent_id="52.71").count()
    )
    _shots(page, "dashboard-province-kota")

    page.goto(live_server.url + "/dasbor/?tahun=2027&indikator=registered")
    with page.expect_download() as info:
        page.click("[data-testid=summary-pdf]")
    pdf = tmp_path / "ringkasan.pdf"
    info.value.save_as(pdf)
    first = PdfReader(pdf).pages[0]
    content = first.get_contents()
    assert content is not None and b" f*" in content.get_data()  # the kabupaten filled
    assert "Nusa Tenggara Barat" in first.extract_text()
    _pdf_shot(pdf, "dashboard-province-summary-pdf")

    with page.expect_download() as info:
        page.click("[data-testid=area-pdf]")
    pdf = tmp_path / "laporan.pdf"
    info.value.save_as(pdf)
    text = " ".join(page_.extract_text() for page_ in PdfReader(pdf).pages)
    assert "Kota Mataram" in text and "Lombok Barat" in text
    _pdf_shot(pdf, "dashboard-province-area-pdf")
