"""Plain geometry for maps: simplify boundaries, frame them on a page, colour them by value.

Pure Python over GeoJSON dicts (WGS84 `[lng, lat]`), no Django and no GIS library: the
dashboard sends simplified polygons to Leaflet, and the PDF map draws them with reportlab.

    collection = feature_collection(rows, {code: {"value": 0.42, "color": "#74c476"}})
    to_page = project(bounds(geometries), width=400, height=300, margin=10, y_up=True)
    scale = ColorScale(rates, low=0.0, high=1.0)
    scale.color(0.42)                        # "#74c476"
    scale.legend(fmt=lambda v: f"{v:.0%}")   # [("0%", "20%", "#edf8e9"), …]

Simplification is Douglas-Peucker on each ring separately, so the shared border of two
neighbours can move by up to `tolerance` degrees on either side (0.0005° ≈ 55 m: invisible at
kabupaten zoom, a hairline gap at desa zoom). Simplified rings can cross themselves; browsers
and PDF viewers fill them anyway.
"""

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Geometry = Mapping[str, Any]  # a GeoJSON Polygon or MultiPolygon
Ring = list[list[float]]  # closed: the last position repeats the first
Bounds = tuple[float, float, float, float]  # min_lng, min_lat, max_lng, max_lat
Projection = Callable[[float, float], tuple[float, float]]

DECIMALS = 5  # ≈ 1 m at the equator: more is noise in the JSON
_RETRIES = 6  # tolerance divided by 4 each time before a region's last outer ring is given up


def _polygons(geometry: Geometry) -> list[Any]:
    """The polygons (lists of rings) of a Polygon or MultiPolygon."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"expected a Polygon or MultiPolygon, not {kind!r}")


def _segment_distance(p: Sequence[float], a: Sequence[float], b: Sequence[float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _douglas_peucker(points: Sequence[Sequence[float]], keep: list[bool], tolerance: float) -> None:
    """Mark in `keep` the points of each stretch between two kept points that stay."""
    stack = _kept_pairs(keep)
    while stack:
        first, last = stack.pop()
        farthest, distance = first, -1.0
        for index in range(first + 1, last):
            d = _segment_distance(points[index], points[first], points[last])
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack.extend(((first, farthest), (farthest, last)))


def _kept_pairs(keep: list[bool]) -> list[tuple[int, int]]:
    kept = [i for i, k in enumerate(keep) if k]
    return list(itertools.pairwise(kept))


def _round(position: Sequence[float]) -> list[float]:
    return [round(float(position[0]), DECIMALS), round(float(position[1]), DECIMALS)]


def _simplify_ring(ring: Sequence[Sequence[float]], tolerance: float) -> Ring | None:
    """A closed ring of at least 4 positions (3 corners), or None when it collapses."""
    points = [_round(p) for p in ring]
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(points) > 1 and points[-1] == points[0]:
        points.pop()
    if len(points) < 3:
        return None
    # A closed ring has no natural ends: cut it at the first point and the point farthest
    # from it, and simplify the two halves.
    start = points[0]
    far = max(range(len(points)), key=lambda i: math.dist(points[i], start))
    closed = [*points, start]
    keep = [False] * len(closed)
    keep[0] = keep[far] = keep[-1] = True
    _douglas_peucker(closed, keep, tolerance)
    simplified = [p for p, k in zip(closed, keep, strict=True) if k]
    if len(simplified) < 4 or _area2(simplified) == 0:
        return None
    return simplified


def _area2(ring: Ring) -> float:
    """Twice the ring's signed area (shoelace)."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))


def simplify(geometry: Geometry, tolerance: float) -> dict[str, Any]:
    """The Polygon or MultiPolygon simplified ring by ring, positions rounded to 5 decimals.

    Every ring in the result is closed with at least 4 positions. A hole that collapses is
    dropped; an outer ring that collapses drops its polygon with its holes. So that a small
    region never disappears from a map, when every outer ring of the geometry collapses the
    largest is simplified again with smaller tolerances. The result has the input's type; its
    coordinates are empty only for a degenerate input (no ring with an area).
    """
    polygons: list[list[Ring]] = []
    for polygon in _polygons(geometry):
        if not polygon:
            continue
        outer = _simplify_ring(polygon[0], tolerance)
        if outer is None:
            continue
        holes = (_simplify_ring(ring, tolerance) for ring in polygon[1:])
        polygons.append([outer, *(hole for hole in holes if hole is not None)])
    if not polygons:
        polygons = _rescue_largest(geometry, tolerance)
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": polygons[0] if polygons else []}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _rescue_largest(geometry: Geometry, tolerance: float) -> list[list[Ring]]:
    outers = [polygon[0] for polygon in _polygons(geometry) if polygon and len(polygon[0]) >= 4]
    if not outers:
        return []
    largest = max(outers, key=lambda ring: abs(_area2([_round(p) for p in ring])))
    for attempt in range(1, _RETRIES + 1):
        smaller = 0.0 if attempt == _RETRIES else tolerance / 4**attempt
        ring = _simplify_ring(largest, smaller)
        if ring is not None:
            return [[ring]]
    return []


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
    tolerance: float = 0.0005,
) -> dict[str, Any]:
    """GeoJSON FeatureCollection of (code, name, geometry), simplified, for the map pages.

    Each feature's properties are `{"code", "name", **properties[code]}` (just code and name
    for a code missing from `properties`). Features whose geometry is degenerate are left out.
    """
    features = []
    for code, name, geometry in boundaries:
        simple = simplify(geometry, tolerance)
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


class ColorScale:
    """Five sequential greens for values, grey for no data (None).

    Equal-interval classes between `low` and `high` (by default the smallest and largest
    value), not quantiles: with a fixed domain the breaks are round numbers (0-20%, 20-40%, …)
    and mean the same on every page, and the colour says how far an area is from the target
    rather than its rank among its neighbours. Pass `low=0.0, high=1.0` for rates. Values
    outside the domain take the end classes.
    When every value is the same the scale has one class, the middle green.

    Colours: ColorBrewer "Greens" 5 (colour-blind safe, prints in greyscale as a ramp).
    `legend()` lists the classes only; add a `ColorScale.NO_DATA` row when `missing`.
    """

    COLORS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
    NO_DATA = "#cccccc"

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
        step = (high - low) / len(self.COLORS)
        index = math.floor((value - low) / step)
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
