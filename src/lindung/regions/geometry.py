"""Plain geometry for maps: simplify boundaries, frame them on a page, colour them by value.

GeoJSON dicts (WGS84 `[lng, lat]`) in and out; shapely (GEOS) does the simplification. The
dashboard sends simplified polygons to Leaflet, and the PDF map draws them with reportlab.

    shapes = simplify_coverage({code: geometry, …}, tolerance=0.0008)
    collection = feature_collection(rows, {code: {"value": 0.42, "color": "#21918c"}})
    to_page = project(bounds(geometries), width=400, height=300, margin=10, y_up=True)
    scale = ColorScale(rates, low=0.0, high=1.0)
    scale.color(0.42)                        # "#21918c"
    scale.legend(fmt=lambda v: f"{v:.0%}")   # [("0%", "20%", "#fde725"), …]
    label_point(geometry)                    # (lng, lat) well inside the area, for its name

Neighbouring areas are simplified together, as one coverage. The published boundaries overlap
and leave slivers of a few metres, so `coverage_clean` first gives each pair of neighbours one
shared border (slivers narrower than GAP_WIDTH go to a neighbour). Then `coverage_simplify`
(Visvalingam-Whyatt: `tolerance` is about the square root of the area of the corners it
removes, in degrees) simplifies every shared border once, so no gap or overlap opens between two
areas at any zoom, and no area disappears.
"""

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import shapely
from shapely.geometry import Polygon, mapping, shape
from shapely.ops import polylabel

Geometry = Mapping[str, Any]  # a GeoJSON Polygon or MultiPolygon
Ring = list[list[float]]  # closed: the last position repeats the first
Bounds = tuple[float, float, float, float]  # min_lng, min_lat, max_lng, max_lat
Projection = Callable[[float, float], tuple[float, float]]

DECIMALS = 5  # ≈ 1 m at the equator: more is noise in the JSON
# Slivers between two published boundaries narrower than this (degrees, ≈ 30 m) go to the
# neighbour with the longest common border; wider gaps are real (sea, a lake, an enclave).
GAP_WIDTH = 0.0003


def _polygons(geometry: Geometry) -> list[Any]:
    """The polygons (lists of rings) of a Polygon or MultiPolygon."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"expected a Polygon or MultiPolygon, not {kind!r}")


def _round(position: Sequence[float]) -> list[float]:
    return [round(float(position[0]), DECIMALS), round(float(position[1]), DECIMALS)]


def _ring(ring: Sequence[Sequence[float]]) -> Ring | None:
    """Rounded and closed, without repeated positions; None when fewer than 3 corners or no
    area are left."""
    points = [_round(p) for p in ring]
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(points) > 1 and points[-1] == points[0]:
        points.pop()
    if len(points) < 3:
        return None
    closed = [*points, points[0]]
    return closed if _area2(closed) != 0 else None


def _area2(ring: Ring) -> float:
    """Twice the ring's signed area (shoelace)."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))


def _geojson(result: Any, original: Geometry) -> dict[str, Any]:
    """`result` (a shapely geometry) as GeoJSON of `original`'s type, rounded; the original
    rounded when nothing with an area is left, so an area never disappears from a map."""
    polygons: list[list[Ring]] = []
    for polygon in _polygons(mapping(result)) if not result.is_empty else []:
        outer = _ring(polygon[0]) if polygon else None
        if outer is not None:
            holes = (_ring(hole) for hole in polygon[1:])
            polygons.append([outer, *(hole for hole in holes if hole is not None)])
    if not polygons:
        rings = (_ring(p[0]) for p in _polygons(original) if p)
        kept = [ring for ring in rings if ring is not None]
        polygons = [[max(kept, key=lambda r: abs(_area2(r)))]] if kept else []
    if original["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": polygons[0] if polygons else []}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _shape(geometry: Geometry) -> Any:
    """The geometry as shapely's, rings closed and repeated positions dropped."""
    _polygons(geometry)  # refuses other types
    closed = [
        [ring for ring in (_ring(r) for r in polygon) if ring is not None]
        for polygon in _polygons(geometry)
    ]
    return shape({"type": "MultiPolygon", "coordinates": [p for p in closed if p]})


def simplify_coverage(geometries: Mapping[str, Geometry], tolerance: float) -> dict[str, Any]:
    """Each geometry simplified together with its neighbours in `geometries` (one coverage: the
    areas of one parent), positions rounded to 5 decimals, in its own type (Polygon or
    MultiPolygon). Every ring is closed with at least 4 positions; an area whose rings all
    collapse keeps its largest outer ring."""
    codes = list(geometries)
    shapes = [_shape(geometries[code]) for code in codes]
    # shapely 2.2 API, newer than its type stubs
    cleaned = shapely.coverage_clean(shapes, gap_width=GAP_WIDTH)  # type: ignore[attr-defined]
    simple = shapely.coverage_simplify(cleaned, tolerance) if tolerance > 0 else cleaned
    simple = shapely.orient_polygons(simple)  # outer rings anticlockwise, as GeoJSON asks
    return {
        code: _geojson(result, geometries[code]) for code, result in zip(codes, simple, strict=True)
    }


def simplify(geometry: Geometry, tolerance: float) -> dict[str, Any]:
    """One geometry on its own (a coverage of one): see `simplify_coverage`."""
    simplified: dict[str, Any] = simplify_coverage({"": geometry}, tolerance)[""]
    return simplified


def bounds(geometries: Iterable[Geometry]) -> Bounds:
    """(min_lng, min_lat, max_lng, max_lat) over every position; ValueError when there is none."""
    lngs: list[float] = []
    lats: list[float] = []
    for geometry in geometries:
        for polygon in _polygons(geometry):
            for ring in polygon:
                for position in ring:
                    lngs.append(position[0])
                    lats.append(position[1])
    if not lngs:
        raise ValueError("no positions to bound")
    return min(lngs), min(lats), max(lngs), max(lats)


def project(
    box: Bounds, width: float, height: float, margin: float = 0.0, *, y_up: bool = False
) -> Projection:
    """A function (lng, lat) → (x, y) that fits `box` inside the margins of a width x height area.

    Equirectangular: longitudes are shortened by cos(middle latitude), so shapes keep their
    proportions near the box; the box keeps its aspect ratio and is centred on the axis with
    room to spare. y grows downward (SVG, screen) unless `y_up` (PDF), measured from 0.
    """
    min_lng, min_lat, max_lng, max_lat = box
    shrink = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x, span_y = (max_lng - min_lng) * shrink, max_lat - min_lat
    room_x, room_y = max(width - 2 * margin, 0.0), max(height - 2 * margin, 0.0)
    scales = [room / span for room, span in ((room_x, span_x), (room_y, span_y)) if span > 0]
    scale = min(scales) if scales else 0.0
    left = margin + (room_x - span_x * scale) / 2
    bottom = margin + (room_y - span_y * scale) / 2  # the gap below the box, either way up

    def to_page(lng: float, lat: float) -> tuple[float, float]:
        x = left + (lng - min_lng) * shrink * scale
        if y_up:
            return x, bottom + (lat - min_lat) * scale
        return x, bottom + (max_lat - lat) * scale

    return to_page


def feature_collection(
    boundaries: Iterable[tuple[str, str, Geometry]],
    properties: Mapping[str, Mapping[str, Any]],
    tolerance: float = 0.0008,
) -> dict[str, Any]:
    """GeoJSON FeatureCollection of (code, name, geometry), simplified together (neighbours
    keep one shared border), for the map pages.

    Each feature's properties are `{"code", "name", **properties[code]}` (just code and name
    for a code missing from `properties`). Features whose geometry is degenerate are left out.
    """
    rows = list(boundaries)
    simplified = simplify_coverage({code: geometry for code, _n, geometry in rows}, tolerance)
    features = []
    for code, name, _geometry in rows:
        simple = simplified[code]
        if not simple["coordinates"]:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, **properties.get(code, {})},
                "geometry": simple,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def label_point(geometry: Geometry) -> tuple[float, float]:
    """A point well inside the area (its largest polygon's pole of inaccessibility), where its
    name reads as belonging to it: a crescent's bounding-box centre can fall outside it."""
    largest: Any = max(
        (shape({"type": "Polygon", "coordinates": p}) for p in _polygons(geometry) if p),
        key=lambda polygon: polygon.area,
    )
    if not largest.is_valid:  # a ring crossing itself: its valid parts
        largest = max(getattr(largest.buffer(0), "geoms", [largest.buffer(0)]), key=_area)
    point = None
    if isinstance(largest, Polygon) and largest.area > 0:
        span = max(largest.bounds[2] - largest.bounds[0], largest.bounds[3] - largest.bounds[1])
        point = polylabel(largest, tolerance=span / 100)
    elif not largest.is_empty:
        point = largest.representative_point()
    if point is None or point.is_empty:
        raise ValueError("no area to place a label in")
    return round(point.x, DECIMALS), round(point.y, DECIMALS)


def _area(geometry: Any) -> float:
    return float(geometry.area)


class ColorScale:
    """Five sequential colours for values, grey for no data (None).

    Equal-interval classes between `low` and `high` (by default the smallest and largest
    value), not quantiles: with a fixed domain the breaks are round numbers (0-20%, 20-40%, …)
    and mean the same on every page, and the colour says how far an area is from the target
    rather than its rank among its neighbours. Pass `low=0.0, high=1.0` for rates. Values
    outside the domain take the end classes.
    When every value is the same the scale has one class, the middle colour.

    Colours: viridis in five steps, yellow (low) to deep violet (high): colour-blind safe,
    even steps of lightness (prints in greyscale as a ramp), and the lowest class is clearly a
    colour, never the near-white of the page or of an area without data. `NO_DATA` is a
    neutral grey no class uses (the maps hatch it too); `CONTEXT` is the paler grey of the
    neighbours drawn around a desa. `legend()` lists the classes only; add a
    `ColorScale.NO_DATA` row when `missing`.
    """

    COLORS = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
    NO_DATA = "#b0b0b0"
    CONTEXT = "#e5e7eb"

    def __init__(
        self,
        values: Iterable[float | None],
        *,
        low: float | None = None,
        high: float | None = None,
    ) -> None:
        values = list(values)
        numbers = [v for v in values if v is not None and math.isfinite(v)]
        self.missing = len(numbers) < len(values)
        self.low = low if low is not None else min(numbers, default=None)
        self.high = high if high is not None else max(numbers, default=None)
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError("high must not be below low")

    def color(self, value: float | None) -> str:
        low, high = self.low, self.high
        if value is None or not math.isfinite(value) or low is None or high is None:
            return self.NO_DATA
        if high == low:
            return self.COLORS[len(self.COLORS) // 2]
        # the share of the domain, then the class (no `step` that can underflow to 0)
        index = math.floor((value - low) / (high - low) * len(self.COLORS))
        return self.COLORS[max(0, min(len(self.COLORS) - 1, index))]

    def legend(self, fmt: Callable[[float], str] = str) -> list[tuple[str, str, str]]:
        """(low label, high label, colour) for each class, lowest first; empty with no data."""
        if self.low is None or self.high is None:
            return []
        if self.high == self.low:
            return [(fmt(self.low), fmt(self.high), self.COLORS[len(self.COLORS) // 2])]
        count = len(self.COLORS)
        step = (self.high - self.low) / count
        breaks = [self.low + i * step for i in range(count)] + [self.high]
        return [(fmt(breaks[i]), fmt(breaks[i + 1]), self.COLORS[i]) for i in range(count)]
