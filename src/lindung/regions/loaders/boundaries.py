"""Boundaries from a GeoJSON FeatureCollection."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor
from lindung.regions import scope
from lindung.regions.loaders.database import CODES_PER_QUERY, chunks, known_codes, record_load
from lindung.regions.loaders.files import LoadError, listing, read_text
from lindung.regions.models import Boundary


@dataclass(frozen=True)
class BoundaryRow:
    index: int  # position in the file's `features` list
    code: str
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]  # min_lng, min_lat, max_lng, max_lat


@dataclass
class BoundaryLoadResult:
    features: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # (feature index, code)


class _InvalidGeometry(Exception):
    """What is wrong with a geometry, and where in its coordinates."""


def read_boundaries(
    path: Path, code_property: str = "kode", within: str | None = None
) -> list[BoundaryRow]:
    """The features of a GeoJSON FeatureCollection, each checked and with its bounding box;
    with `within` (a region code), only the features of that region and below it, the others
    skipped unchecked (one province out of a national file)."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(
            _(
                "%(path)s is not valid JSON: %(error)s at line %(line)s, column %(column)s "
                "(the file may be truncated)."
            )
            % {"path": path.name, "error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from exc
    features = _feature_list(data, path)
    rows = [
        _boundary_row(index, feature, path, code_property)
        for index, feature in enumerate(features)
        if within is None or _code_within(feature, code_property, within)
    ]
    if not rows:
        raise LoadError(
            _("%(path)s has no feature within %(code)s.") % {"path": path.name, "code": within}
        )
    first_index: dict[str, int] = {}
    for row in rows:
        if row.code in first_index:
            raise LoadError(
                _("%(path)s: features[%(index)s] repeats the code %(code)s of features[%(first)s].")
                % {
                    "path": path.name,
                    "index": row.index,
                    "code": row.code,
                    "first": first_index[row.code],
                }
            )
        first_index[row.code] = row.index
    return rows


def _code_within(feature: object, code_property: str, within: str) -> bool:
    """Whether a feature's code is `within` or below it (a feature without a code is kept, so
    that the check names its problem)."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    code = properties.get(code_property) if isinstance(properties, dict) else None
    if not isinstance(code, str):
        return True
    return scope.contains([within], code.strip())


def _feature_list(data: object, path: Path) -> list[Any]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise LoadError(
            _(
                '%(path)s: expected a GeoJSON FeatureCollection ({"type": "FeatureCollection", '
                '"features": [...]}), found %(found)s.'
            )
            % {"path": path.name, "found": found}
        )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise LoadError(_("%(path)s has no features.") % {"path": path.name})
    return features


def _boundary_row(index: int, feature: object, path: Path, code_property: str) -> BoundaryRow:
    where = {"path": path.name, "index": index}
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise LoadError(_("%(path)s: features[%(index)s] is not a GeoJSON Feature.") % where)
    properties = feature.get("properties")
    code = properties.get(code_property) if isinstance(properties, dict) else None
    if not isinstance(code, str) or not code.strip():
        raise LoadError(
            _(
                "%(path)s: features[%(index)s] has no property %(property)r with a region code "
                "as text, like 52.03.07 (found %(value)r; --code-property names another property)."
            )
            % {**where, "property": code_property, "value": code}
        )
    code = code.strip()
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise LoadError(
            _("%(path)s: features[%(index)s] (%(code)s) has no geometry.") % {**where, "code": code}
        )
    geometry_type = geometry.get("type")
    if geometry_type not in ("Polygon", "MultiPolygon"):
        raise LoadError(
            _(
                "%(path)s: features[%(index)s] (%(code)s) has a %(type)s geometry; expected "
                "Polygon or MultiPolygon."
            )
            % {**where, "code": code, "type": geometry_type}
        )
    coordinates = geometry.get("coordinates")
    try:
        if geometry_type == "Polygon":
            bbox = _polygon_bbox(coordinates, "coordinates")
        else:
            bbox = _multipolygon_bbox(coordinates)
    except _InvalidGeometry as exc:
        raise LoadError(
            _("%(path)s: features[%(index)s] (%(code)s) has an invalid %(type)s: %(problem)s")
            % {**where, "code": code, "type": geometry_type, "problem": exc}
        ) from exc
    return BoundaryRow(
        index=index,
        code=code,
        geometry={"type": geometry_type, "coordinates": coordinates},
        bbox=bbox,
    )


def _multipolygon_bbox(coordinates: object) -> tuple[float, float, float, float]:
    if not isinstance(coordinates, list) or not coordinates:
        raise _InvalidGeometry(_("coordinates must be a non-empty list of polygons."))
    boxes = [_polygon_bbox(polygon, f"coordinates[{i}]") for i, polygon in enumerate(coordinates)]
    return _union(boxes)


def _polygon_bbox(polygon: object, where: str) -> tuple[float, float, float, float]:
    if not isinstance(polygon, list) or not polygon:
        raise _InvalidGeometry(
            _("%(where)s must be a non-empty list of linear rings.") % {"where": where}
        )
    boxes = [_ring_bbox(ring, f"{where}[{i}]") for i, ring in enumerate(polygon)]
    return _union(boxes)


def _ring_bbox(ring: object, where: str) -> tuple[float, float, float, float]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _InvalidGeometry(
            _("%(where)s must be a linear ring: a list of at least 4 positions.") % {"where": where}
        )
    for i, position in enumerate(ring):
        _check_position(position, f"{where}[{i}]")
    if ring[0] != ring[-1]:
        raise _InvalidGeometry(
            _("%(where)s does not close: it starts at %(first)s and ends at %(last)s.")
            % {"where": where, "first": ring[0], "last": ring[-1]}
        )
    lngs = [position[0] for position in ring]
    lats = [position[1] for position in ring]
    return min(lngs), min(lats), max(lngs), max(lats)


def _check_position(position: object, where: str) -> None:
    if (
        not isinstance(position, list)
        or not 2 <= len(position) <= 3
        or not all(type(value) in (int, float) for value in position)
    ):
        raise _InvalidGeometry(
            _("%(where)s is %(found)s; expected a position [lng, lat] of two numbers.")
            % {"where": where, "found": json.dumps(position)}
        )
    lng, lat = position[0], position[1]
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):  # also false for NaN
        raise _InvalidGeometry(
            _(
                "%(where)s is %(found)s, outside lng -180..180, lat -90..90 "
                "(positions are [lng, lat]: are they swapped?)."
            )
            % {"where": where, "found": json.dumps(position)}
        )


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def load_boundaries(
    path: Path,
    *,
    code_property: str = "kode",
    allow_unmatched: bool = False,
    within: str | None = None,
    by: Actor | None = None,
) -> BoundaryLoadResult:
    """Attach each feature's polygon to the region with its code; replace changed ones.

    Features whose code is not a known region refuse the whole file, unless `allow_unmatched`:
    then they are left out and listed in the result.
    """
    rows = read_boundaries(path, code_property, within)
    with transaction.atomic():
        known = known_codes(row.code for row in rows)
        unmatched = [(row.index, row.code) for row in rows if row.code not in known]
        if unmatched and not allow_unmatched:
            raise LoadError(
                _(
                    "%(path)s: codes that are not known regions (%(count)s): %(list)s. Nothing "
                    "was loaded. Correct them, or pass --allow-unmatched to load the other "
                    "features."
                )
                % {
                    "path": path.name,
                    "count": len(unmatched),
                    "list": listing(f"features[{index}] {code}" for index, code in unmatched),
                }
            )
        result = BoundaryLoadResult(features=len(rows), unmatched=unmatched)
        matched = [row for row in rows if row.code in known]
        existing = _existing_boundaries([row.code for row in matched])
        changed: list[Boundary] = []
        for row in matched:
            old = existing.get(row.code)
            if old == (row.geometry, *row.bbox, path.name):
                result.unchanged += 1
                continue
            if old is None:
                result.created += 1
            else:
                result.updated += 1
            min_lng, min_lat, max_lng, max_lat = row.bbox
            changed.append(
                Boundary(
                    region_id=row.code,
                    geometry=row.geometry,
                    min_lng=min_lng,
                    min_lat=min_lat,
                    max_lng=max_lng,
                    max_lat=max_lat,
                    source=path.name,
                )
            )
        Boundary.objects.bulk_create(
            changed,
            batch_size=CODES_PER_QUERY,
            update_conflicts=True,
            unique_fields=["region"],
            update_fields=[
                "geometry",
                "min_lng",
                "min_lat",
                "max_lng",
                "max_lat",
                "source",
                "loaded_at",
            ],
        )
        if changed:
            record_load(
                by=by,
                action=Action.BOUNDARIES_LOADED,
                model=Boundary,
                source=path.name,
                after={
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "unmatched": len(unmatched),
                },
            )
    return result


def _existing_boundaries(codes: list[str]) -> dict[str, tuple[Any, ...]]:
    existing: dict[str, tuple[Any, ...]] = {}
    for chunk in chunks(codes):
        for region_id, *values in Boundary.objects.filter(region_id__in=chunk).values_list(
            "region_id", "geometry", "min_lng", "min_lat", "max_lng", "max_lat", "source"
        ):
            existing[region_id] = tuple(values)
    return existing
