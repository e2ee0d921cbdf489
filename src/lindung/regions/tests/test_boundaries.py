"""`lindung regions load-boundaries`: polygons from GeoJSON attached to regions."""

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from lindung.regions.loaders import LoadError, load_boundaries
from lindung.regions.models import Boundary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in their English source form: the tests match their text."""
    with translation.override("en"):
        yield


PANCOR, SELONG = "52.03.07.1001", "52.03.07.1002"


def square(lng: float, lat: float, size: float = 0.01) -> list[list[list[float]]]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return [ring]


def feature(code: Any, geometry: Any, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"kode": code, "nama": "Pancor", **properties},
        "geometry": geometry,
    }


def polygon(lng: float = 116.53, lat: float = -8.65) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": square(lng, lat)}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def write(path: Path, data: dict[str, Any] | bytes) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


def shared_file(name: str) -> Path:
    path = settings.LINDUNG_SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{name} is not in LINDUNG_SHARED_DATA ({settings.LINDUNG_SHARED_DATA})")
    return path


def test_it_attaches_the_254_desa_polygons_of_lombok_timur() -> None:
    path = shared_file("lombok_timur_desa.geojson")
    result = load_boundaries(path)
    assert (result.features, result.created, result.updated, result.unchanged) == (254, 254, 0, 0)
    assert Boundary.objects.filter(region__code__startswith="52.03.").count() == 254
    pancor = Boundary.objects.get(region_id=PANCOR)
    assert pancor.source == "lombok_timur_desa.geojson"
    assert 116 < pancor.min_lng < pancor.max_lng < 117
    assert -9 < pancor.min_lat < pancor.max_lat < -8


def test_a_second_load_of_the_same_file_changes_nothing() -> None:
    path = shared_file("lombok_timur_desa.geojson")
    load_boundaries(path)
    result = load_boundaries(path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 254)


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("lombok_timur_kecamatan.geojson", 21),
        ("lombok_timur_kecamatan_from_desa.geojson", 21),
        ("lombok_timur_kabupaten.geojson", 1),
    ],
)
def test_it_loads_the_kecamatan_and_kabupaten_files(name: str, count: int) -> None:
    result = load_boundaries(shared_file(name))
    assert result.created == count
    assert not result.unmatched


def test_it_computes_the_bounding_box_over_every_part_of_a_multipolygon(tmp_path: Path) -> None:
    geometry = {"type": "MultiPolygon", "coordinates": [square(116.5, -8.7), square(116.6, -8.6)]}
    load_boundaries(write(tmp_path / "b.geojson", collection(feature(PANCOR, geometry))))
    boundary = Boundary.objects.get(region_id=PANCOR)
    assert (boundary.min_lng, boundary.min_lat) == (116.5, -8.7)
    assert (boundary.max_lng, boundary.max_lat) == (116.61, -8.59)
    assert boundary.geometry == geometry


def test_it_replaces_a_changed_polygon_and_counts_the_others_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    load_boundaries(write(path, collection(feature(PANCOR, polygon()), feature(SELONG, polygon()))))
    moved = polygon(lng=116.54)
    result = load_boundaries(
        write(path, collection(feature(PANCOR, moved), feature(SELONG, polygon())))
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Boundary.objects.get(region_id=PANCOR).geometry == moved


def test_it_refuses_a_file_with_an_unknown_code(tmp_path: Path) -> None:
    path = write(
        tmp_path / "b.geojson",
        collection(feature(PANCOR, polygon()), feature("52.03.99.2001", polygon())),
    )
    with pytest.raises(CommandError) as error:
        call_command("regions", "load-boundaries", str(path))
    assert "codes that are not known regions (1): features[1] 52.03.99.2001. Nothing" in str(
        error.value
    )
    assert not Boundary.objects.exists()


def test_it_loads_the_known_codes_and_lists_the_others_when_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "b.geojson",
        collection(feature(PANCOR, polygon()), feature("99", polygon()), feature("0", polygon())),
    )
    result = load_boundaries(path, allow_unmatched=True)
    assert result.created == 1
    assert result.unmatched == [(1, "99"), (2, "0")]
    assert list(Boundary.objects.values_list("region_id", flat=True)) == [PANCOR]


def test_it_reads_the_code_from_the_property_it_is_told(tmp_path: Path) -> None:
    path = write(tmp_path / "b.geojson", collection(feature("x", polygon(), KDEPUM=PANCOR)))
    assert load_boundaries(path, code_property="KDEPUM").created == 1


def _with(broken: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A collection whose second feature is `broken`."""

    def change(data: dict[str, Any]) -> dict[str, Any]:
        return collection(data["features"][0], broken)

    return change


def _text(change: Callable[[bytes], bytes]) -> Callable[[dict[str, Any]], bytes]:
    return lambda data: change(json.dumps(data, indent=1).encode())


BROKEN_FILES: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any] | bytes], str]] = {
    "empty": (_text(lambda text: b" \n"), "b.geojson is empty"),
    "cut-in-the-middle": (
        _text(lambda text: text[: len(text) // 2]),
        r"b.geojson is not valid JSON: .* at line \d+, column \d+ \(the file may be truncated\)",
    ),
    "latin-1": (
        _text(lambda text: text.replace(b"Pancor", b"P\xe1ncor")),
        r"b.geojson is not UTF-8 text \(invalid byte at line",
    ),
    "a-list": (lambda data: data["features"], "expected a GeoJSON FeatureCollection .* found list"),
    "a-feature": (
        lambda data: data["features"][0],
        "expected a GeoJSON FeatureCollection .* found Feature",
    ),
    "no-features": (lambda data: collection(), "b.geojson has no features"),
    "not-a-feature": (_with({"type": "Polygon"}), r"features\[1\] is not a GeoJSON Feature"),
    "no-code": (
        _with(feature(None, polygon())),
        r"features\[1\] has no property 'kode' with a region code as text",
    ),
    "numeric-code": (
        _with(feature(5203, polygon())),
        r"features\[1\] has no property 'kode' .* \(found 5203;",
    ),
    "no-geometry": (
        _with(feature(SELONG, None)),
        r"features\[1\] \(52.03.07.1002\) has no geometry",
    ),
    "a-point": (
        _with(feature(SELONG, {"type": "Point", "coordinates": [116.5, -8.6]})),
        "has a Point geometry; expected Polygon or MultiPolygon",
    ),
    "ring-of-3-positions": (
        _with(
            feature(
                SELONG,
                {"type": "Polygon", "coordinates": [[[116.5, -8.6], [116.6, -8.6], [116.5, -8.6]]]},
            )
        ),
        r"invalid Polygon: coordinates\[0\] must be a linear ring: a list of at least 4",
    ),
    "ring-not-closing": (
        _with(feature(SELONG, {"type": "Polygon", "coordinates": [square(116.5, -8.6)[0][:-1]]})),
        r"coordinates\[0\] does not close: it starts at \[116.5, -8.6\] and ends at",
    ),
    "flat-ring": (
        _with(feature(SELONG, {"type": "Polygon", "coordinates": square(116.5, -8.6)[0]})),
        r"coordinates\[0\] must be a linear ring",
    ),
    "lat-lng-swapped": (
        _with(feature(SELONG, {"type": "Polygon", "coordinates": square(-8.6, 116.5)})),
        r"coordinates\[0\]\[0\] is \[-8.6, 116.5\], outside lng -180..180, lat -90..90",
    ),
    "text-coordinate": (
        _with(feature(SELONG, {"type": "Polygon", "coordinates": [[["116.5", -8.6]] * 4]})),
        r"coordinates\[0\]\[0\] is \[\"116.5\", -8.6\]; expected a position \[lng, lat\]",
    ),
    "boolean-coordinate": (
        _with(feature(SELONG, {"type": "Polygon", "coordinates": [[[True, False]] * 4]})),
        r"expected a position \[lng, lat\] of two numbers",
    ),
    "empty-multipolygon": (
        _with(feature(SELONG, {"type": "MultiPolygon", "coordinates": []})),
        "invalid MultiPolygon: coordinates must be a non-empty list of polygons",
    ),
    "repeated-code": (
        _with(feature(PANCOR, polygon())),
        r"features\[1\] repeats the code 52.03.07.1001 of features\[0\]",
    ),
}


@pytest.mark.parametrize("case", BROKEN_FILES, ids=list(BROKEN_FILES))
def test_it_refuses_a_broken_file_and_changes_nothing(tmp_path: Path, case: str) -> None:
    make, message = BROKEN_FILES[case]
    path = tmp_path / "b.geojson"
    load_boundaries(write(path, collection(feature(PANCOR, polygon()))))
    # The first feature would move Pancor's polygon; the broken rest must stop that too.
    write(path, make(collection(feature(PANCOR, polygon(lng=116.54)), feature(SELONG, polygon()))))
    with pytest.raises(CommandError, match=message):
        call_command("regions", "load-boundaries", str(path))
    assert list(Boundary.objects.values_list("region_id", "geometry")) == [(PANCOR, polygon())]


def test_it_refuses_a_number_that_is_not_a_number(tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"kode": "52.03.07.1001"}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[NaN, -8.6], [116.6, -8.6], [116.6, -8.5], [NaN, -8.6]]]}}]}"
    )
    with pytest.raises(LoadError, match=r"coordinates\[0\]\[0\] is \[NaN, -8.6\], outside"):
        load_boundaries(path)


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"File not found: .*missing\.geojson"):
        call_command("regions", "load-boundaries", str(tmp_path / "missing.geojson"))


def test_within_loads_one_province_and_skips_the_rest_unchecked(tmp_path: Path) -> None:
    broken = feature("96.01", {"type": "Polygon", "coordinates": [[[140.0, -2.0], [141.0, -2.0]]]})
    path = write(tmp_path / "indonesia.geojson", collection(feature(PANCOR, polygon()), broken))

    with pytest.raises(LoadError, match=r"96\.01"):
        load_boundaries(path)
    result = load_boundaries(path, within="52")

    assert (result.features, result.created) == (1, 1)
    assert Boundary.objects.filter(region_id=PANCOR).exists()
    with pytest.raises(LoadError, match="no feature within 51"):
        load_boundaries(path, within="51")


def test_the_national_files_load_for_nusa_tenggara_barat() -> None:
    path = shared_file("indonesia_kabupaten_kota.geojson")
    call_command("regions", "load-boundaries", str(path), "--within", "52", stdout=io.StringIO())
    assert Boundary.objects.filter(region__code__startswith="52.", region__level=2).count() == 10
