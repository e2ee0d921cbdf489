"""Map geometry: simplification, bounds, projection onto a page, colour classes."""

import itertools
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import shape

from lindung.regions.geometry import (
    ColorScale,
    bounds,
    feature_collection,
    project,
    simplify,
    simplify_coverage,
)


def square(lng: float, lat: float, size: float = 0.01) -> list[list[float]]:
    return [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]


def rings_of(geometry: dict[str, Any]) -> list[list[list[float]]]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return [ring for polygon in polygons for ring in polygon]


# A star-shaped ring around a centre: wiggly enough for the simplification to drop points.
@st.composite
def star_rings(draw: st.DrawFn) -> list[list[float]]:
    lng = draw(st.floats(95.0, 141.0))
    lat = draw(st.floats(-11.0, 6.0))
    radii = draw(st.lists(st.floats(0.0001, 0.05), min_size=3, max_size=60))
    ring = [
        [
            lng + r * math.cos(2 * math.pi * i / len(radii)),
            lat + r * math.sin(2 * math.pi * i / len(radii)),
        ]
        for i, r in enumerate(radii)
    ]
    return [*ring, ring[0]]


polygons = st.builds(lambda outer: {"type": "Polygon", "coordinates": [outer]}, star_rings())
multipolygons = st.builds(
    lambda parts: {"type": "MultiPolygon", "coordinates": [[ring] for ring in parts]},
    st.lists(star_rings(), min_size=1, max_size=4),
)
tolerances = st.sampled_from([0.0, 0.00005, 0.0005, 0.005, 0.05])


@given(st.one_of(polygons, multipolygons), tolerances)
def test_simplified_rings_are_closed_with_at_least_four_positions(
    geometry: dict[str, Any], tolerance: float
) -> None:
    result = simplify(geometry, tolerance)

    assert result["type"] == geometry["type"]
    for ring in rings_of(result):
        assert len(ring) >= 4
        assert ring[0] == ring[-1]


@given(st.one_of(polygons, multipolygons), tolerances)
def test_simplified_geometry_stays_inside_the_input_bounds(
    geometry: dict[str, Any], tolerance: float
) -> None:
    result = simplify(geometry, tolerance)

    if result["coordinates"]:
        min_lng, min_lat, max_lng, max_lat = (round(v, 5) for v in bounds([geometry]))
        out = bounds([result])
        assert min_lng <= out[0] and min_lat <= out[1] and out[2] <= max_lng and out[3] <= max_lat


@given(st.one_of(polygons, multipolygons), tolerances)
def test_simplified_positions_have_five_decimals(
    geometry: dict[str, Any], tolerance: float
) -> None:
    for ring in rings_of(simplify(geometry, tolerance)):
        for lng, lat in ring:
            assert lng == round(lng, 5) and lat == round(lat, 5)


def same_shape(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(shape(a).equals(shape(b)))


def test_it_drops_the_corners_within_the_tolerance() -> None:
    wiggly = [[0.0, 0.0], [0.5, 0.0001], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]

    result = simplify({"type": "Polygon", "coordinates": [wiggly]}, 0.02)

    assert same_shape(result, {"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0)]})
    assert len(result["coordinates"][0]) == 5


def test_it_keeps_small_islands_and_fills_holes_narrower_than_a_sliver() -> None:
    hole = [[0.5, 0.5], [0.50001, 0.5], [0.50001, 0.50001], [0.5, 0.5]]
    geometry = {
        "type": "MultiPolygon",
        "coordinates": [[square(0.0, 0.0, 1.0), hole], [square(2.0, 2.0, 0.0001)]],
    }

    result = simplify(geometry, 0.001)

    assert len(result["coordinates"]) == 2  # the island stays
    assert len(result["coordinates"][0]) == 1  # a hole of 1 m is a digitising sliver


def test_a_small_region_does_not_disappear() -> None:
    tiny = {"type": "MultiPolygon", "coordinates": [[square(116.5, -8.6, 0.0002)]]}

    result = simplify(tiny, 0.0005)

    assert shape(result).area > 0
    assert shape(tiny).buffer(1e-9).contains(shape(result))


def test_it_closes_an_open_ring() -> None:
    ring = square(0.0, 0.0, 1.0)[:-1]

    result = simplify({"type": "Polygon", "coordinates": [ring]}, 0.0)

    outer = result["coordinates"][0]
    assert outer[0] == outer[-1] and len(outer) == 5
    assert same_shape(result, {"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0)]})


def test_outer_rings_run_anticlockwise_as_geojson_asks() -> None:
    clockwise = square(0.0, 0.0, 1.0)[::-1]

    result = simplify({"type": "Polygon", "coordinates": [clockwise]}, 0.0)

    ring = result["coordinates"][0]
    assert sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring)) > 0


def _neighbours(overlap: float) -> dict[str, dict[str, Any]]:
    """Two areas whose wiggly common border was digitised twice, `overlap` degrees apart
    between its two ends (a sliver of gap or overlap inside the kabupaten)."""
    border = [[0.5 + 0.0003 * math.sin(i * 1.7), i / 200] for i in range(201)]
    shifted = [[x + (overlap if 0 < i < 200 else 0.0), y] for i, (x, y) in enumerate(border)]
    west = [[0.0, 0.0], *border, [0.0, 1.0], [0.0, 0.0]]
    east = [[1.0, 0.0], [1.0, 1.0], *shifted[::-1], [1.0, 0.0]]
    return {
        "west": {"type": "Polygon", "coordinates": [west]},
        "east": {"type": "Polygon", "coordinates": [east]},
    }


@pytest.mark.parametrize("overlap", [0.0, 0.00002, -0.00002])
def test_neighbours_keep_one_shared_border_without_gap_or_overlap(overlap: float) -> None:
    areas = _neighbours(overlap)

    result = simplify_coverage(areas, 0.002)

    west, east = shape(result["west"]), shape(result["east"])
    assert len(result["west"]["coordinates"][0]) < 100  # simplified: 201 corners on the border
    assert west.intersection(east).area == pytest.approx(0.0, abs=1e-9)  # no overlap
    assert west.intersection(east).length > 0.99  # one border, shared along its whole length
    together = west.union(east)
    assert together.geom_type == "Polygon" and not together.interiors  # no gap between them


def test_it_refuses_other_geometry_types() -> None:
    with pytest.raises(ValueError, match="Point"):
        simplify({"type": "Point", "coordinates": [0.0, 0.0]}, 0.001)


def test_bounds_cover_every_geometry() -> None:
    geometries = [
        {"type": "Polygon", "coordinates": [square(116.4, -8.9)]},
        {"type": "MultiPolygon", "coordinates": [[square(116.7, -8.3, 0.05)]]},
    ]

    assert bounds(geometries) == (116.4, -8.9, 116.75, -8.25)


def test_bounds_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no positions"):
        bounds([])


boxes = st.builds(
    lambda lng, lat, w, h: (lng, lat, lng + w, lat + h),
    st.floats(95.0, 140.0),
    st.floats(-11.0, 5.0),
    st.floats(0.001, 5.0),
    st.floats(0.001, 5.0),
)
sizes = st.tuples(st.floats(50.0, 2000.0), st.floats(50.0, 2000.0), st.floats(0.0, 20.0))


@given(boxes, sizes, st.booleans())
def test_projection_keeps_the_aspect_ratio(
    box: tuple[float, float, float, float], size: tuple[float, float, float], y_up: bool
) -> None:
    width, height, margin = size
    to_page = project(box, width, height, margin, y_up=y_up)
    min_lng, min_lat, max_lng, max_lat = box
    x0, y0 = to_page(min_lng, min_lat)
    x1, y1 = to_page(max_lng, max_lat)

    shrink = math.cos(math.radians((min_lat + max_lat) / 2))
    expected = (max_lng - min_lng) * shrink / (max_lat - min_lat)
    assert abs(x1 - x0) / abs(y1 - y0) == pytest.approx(expected, rel=1e-9)


@given(boxes, sizes, st.booleans())
def test_projection_maps_the_corners_onto_the_margins(
    box: tuple[float, float, float, float], size: tuple[float, float, float], y_up: bool
) -> None:
    width, height, margin = size
    to_page = project(box, width, height, margin, y_up=y_up)
    min_lng, min_lat, max_lng, max_lat = box
    left, bottom_y = to_page(min_lng, min_lat)
    right, top_y = to_page(max_lng, max_lat)
    low, high = sorted((bottom_y, top_y))

    assert (y_up and bottom_y < top_y) or (not y_up and top_y < bottom_y)
    gaps = (left - margin, low - margin, width - margin - right, height - margin - high)
    assert min(gaps) >= -1e-6
    fills_width = left == pytest.approx(margin) and right == pytest.approx(width - margin)
    fills_height = low == pytest.approx(margin) and high == pytest.approx(height - margin)
    assert fills_width or fills_height
    # centred on the other axis
    assert left - margin == pytest.approx(width - margin - right, abs=1e-6)
    assert low - margin == pytest.approx(height - margin - high, abs=1e-6)


def test_screen_and_pdf_projections_mirror_each_other() -> None:
    box = (116.0, -9.0, 117.0, -8.0)
    screen = project(box, 200, 100, 10)
    pdf = project(box, 200, 100, 10, y_up=True)

    assert screen(116.0, -8.0)[1] == pytest.approx(10)  # north at the top of the screen
    assert pdf(116.0, -8.0)[1] == pytest.approx(90)  # and at the top of the PDF page
    assert screen(116.5, -8.5)[0] == pdf(116.5, -8.5)[0] == pytest.approx(100)


def test_feature_collection_simplifies_and_adds_the_properties() -> None:
    wiggly = [[0.0, 0.0], [0.5, 0.00001], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    rows = [
        ("52.03.01", "Keruak", {"type": "Polygon", "coordinates": [wiggly]}),
        ("52.03.02", "Jerowaru", {"type": "Polygon", "coordinates": [square(2.0, 0.0)]}),
    ]

    collection = feature_collection(
        rows, {"52.03.01": {"value": 0.5, "color": "#21918c"}}, tolerance=0.01
    )

    assert collection["type"] == "FeatureCollection"
    first, second = collection["features"]
    assert first["properties"] == {
        "code": "52.03.01",
        "name": "Keruak",
        "value": 0.5,
        "color": "#21918c",
    }
    assert len(first["geometry"]["coordinates"][0]) == 5  # the wiggle is gone
    assert second["properties"] == {"code": "52.03.02", "name": "Jerowaru"}


@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=1, max_size=50))
def test_colour_classes_rise_with_the_value(values: list[float | None]) -> None:
    scale = ColorScale(values)
    numbers = sorted(v for v in values if v is not None)

    ranks = [ColorScale.COLORS.index(scale.color(v)) for v in numbers]

    assert ranks == sorted(ranks)
    if numbers and numbers[0] < numbers[-1]:
        assert ranks[0] == 0 and ranks[-1] == len(ColorScale.COLORS) - 1


def test_colour_scale_with_a_fixed_domain() -> None:
    scale = ColorScale([0.05, None, 0.5], low=0.0, high=1.0)

    assert [scale.color(v) for v in (0.0, 0.19, 0.2, 0.5, 0.99, 1.0, 1.5, -1.0)] == [
        "#fde725",
        "#fde725",
        "#5ec962",
        "#21918c",
        "#440154",
        "#440154",
        "#440154",
        "#fde725",
    ]
    assert scale.color(None) == ColorScale.NO_DATA
    assert scale.missing
    assert scale.legend(lambda v: f"{v:.0%}") == [
        ("0%", "20%", "#fde725"),
        ("20%", "40%", "#5ec962"),
        ("40%", "60%", "#21918c"),
        ("60%", "80%", "#3b528b"),
        ("80%", "100%", "#440154"),
    ]


def test_colour_scale_without_data_is_grey_with_no_legend() -> None:
    scale = ColorScale([None, None])

    assert scale.color(None) == scale.color(3.0) == ColorScale.NO_DATA
    assert scale.legend() == []
    assert scale.missing


def test_colour_scale_of_equal_values_has_one_class() -> None:
    scale = ColorScale([7.0, 7.0])

    assert scale.color(7.0) == "#21918c"
    assert scale.legend(lambda v: f"{v:g}") == [("7", "7", "#21918c")]
    assert not scale.missing
