"""Maps people can read: names on the map, a palette whose lowest class is a colour, a legend
that names the indicator, a desa among its greyed neighbours, and the kecamatan PDF."""

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from shapely.geometry import Point, shape

from lindung.accounts.tests.factories import admin, operator_desa
from lindung.dashboard import maps
from lindung.dashboard.tests.test_pages import _client, data  # noqa: F401 - a fixture
from lindung.regions.geometry import ColorScale, label_point
from lindung.regions.models import Population

pytestmark = pytest.mark.django_db
SELONG, PANCOR = "52.03.07", "52.03.07.1001"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _collection(user: Any, **params: Any) -> dict[str, Any]:
    response = _client(user).get(reverse("dashboard:map"), {"tahun": 2027, **params})
    assert response.status_code == 200
    collection: dict[str, Any] = response.json()
    return collection


def test_the_lowest_class_is_a_colour_and_no_data_stands_apart() -> None:
    lowest = _rgb(ColorScale.COLORS[0])
    assert max(lowest) - min(lowest) >= 0x60  # clearly a colour, not the near-white of the page
    assert min(lowest) < 0xD0
    greys = {ColorScale.NO_DATA, ColorScale.CONTEXT}
    assert len(greys) == 2 and not greys & set(ColorScale.COLORS)
    for grey in greys:
        red, green, blue = _rgb(grey)
        assert red == green == blue or max(red, green, blue) - min(red, green, blue) < 0x10
    # darker from class to class (prints as a ramp in greyscale)
    lightness = [sum(_rgb(c)) for c in ColorScale.COLORS]
    assert lightness == sorted(lightness, reverse=True)


@pytest.mark.usefixtures("data")
def test_every_kecamatan_has_its_name_and_a_label_point_inside() -> None:
    collection = _collection(admin())

    assert collection["labels"] == "all"
    for feature in collection["features"]:
        properties = feature["properties"]
        assert properties["name"] and properties["role"] == "area"
        lat, lng = properties["label_at"]
        assert shape(feature["geometry"]).buffer(1e-9).contains(Point(lng, lat))


def test_the_legend_names_the_indicator_its_unit_and_ranges_in_indonesian() -> None:
    legend = maps.legend_of(ColorScale([0, 12_500, None]), "registered")

    assert legend["title"] == "Registered workers" and legend["unit"] == "workers"
    classes = legend["classes"]
    assert [c["kind"] for c in classes] == ["class"] * 5 + ["missing"]
    assert (classes[0]["low"], classes[0]["high"]) == ("0", "2.500")
    assert classes[-2]["high"] == "12.500"
    assert classes[-1]["color"] == ColorScale.NO_DATA
    share = maps.legend_of(maps.scale_for([0.25], "covered_share"), "covered_share")
    assert share["unit"] == "%" and share["classes"][1]["low"] == "20%"


@pytest.mark.usefixtures("data")
def test_the_page_shows_the_legend_title() -> None:
    html = _client(admin()).get(reverse("dashboard:home"), {"tahun": 2027}).content.decode()

    assert 'data-testid="map-legend-title">Sponsored workers (workers)<' in html


@pytest.mark.usefixtures("data")
def test_a_desa_is_shown_among_its_greyed_neighbours() -> None:
    collection = _collection(admin(), area=PANCOR)

    roles = {f["properties"]["code"]: f["properties"] for f in collection["features"]}
    assert roles[PANCOR]["role"] == "selected" and roles[PANCOR]["value"] == 6  # sponsored
    neighbours = [p for code, p in roles.items() if code != PANCOR]
    assert len(neighbours) >= 5 and all(code.startswith(SELONG + ".") for code in roles)
    for properties in neighbours:
        assert properties["role"] == "context" and properties["color"] == ColorScale.CONTEXT
        assert properties["value"] is None and properties["display"] == ""
        assert properties["name"] and "area=" + properties["code"] in properties["url"]
    assert collection["labels"] == "fit"


@pytest.mark.usefixtures("data")
def test_neighbours_outside_the_users_wilayah_are_not_links() -> None:
    collection = _collection(operator_desa(PANCOR), area=PANCOR)

    neighbours = [f["properties"] for f in collection["features"]]
    assert {p["role"] for p in neighbours} == {"selected", "context"}
    assert all(p["url"] == "" for p in neighbours if p["role"] == "context")


def test_the_label_point_of_a_crescent_is_inside_it() -> None:
    ring = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 3], [3, 3], [3, 1], [0, 1], [0, 0]]
    lng, lat = label_point({"type": "Polygon", "coordinates": [ring]})

    assert shape({"type": "Polygon", "coordinates": [ring]}).contains(Point(lng, lat))


def _kecamatan_pdf_text() -> str:
    response = _client(admin()).get(
        reverse("dashboard:kecamatan-pdf"), {"area": SELONG, "tahun": 2027}
    )
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return "".join(page.extract_text() for page in reader.pages)


@pytest.mark.usefixtures("data")
def test_the_kecamatan_pdf_leaves_out_population_when_none_is_loaded() -> None:
    text = _kecamatan_pdf_text()

    assert "Pancor" in text and "Population" not in text


@pytest.mark.usefixtures("data")
def test_the_kecamatan_pdf_fills_population_from_the_latest_year() -> None:
    Population.objects.create(region_id=PANCOR, year=2020, count=4000)
    Population.objects.create(region_id=PANCOR, year=2024, count=4321)

    text = " ".join(_kecamatan_pdf_text().split())  # a narrow column wraps its header

    assert "Population (2024)" in text and "4.321" in text and "4.000" not in text
