"""Loading the wilayah tree, boundaries and population into the database.

Each loader validates the whole input first, then writes in one transaction: a bad file changes
nothing. Messages are for the person at the command line, in the active language (Indonesian by
default), and name the file, line or feature, and what was expected.
"""

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from lindung.audit.models import new_batch_id
from lindung.audit.services import record
from lindung.regions.models import Boundary, Level, Population, Region, RegionType
from lindung.regions.names import normalise_name

# How many problems one error message lists before it says "and N more".
LISTED_PROBLEMS = 10
# Codes per `code IN (…)` query: well under SQLite's limit on query parameters.
CODES_PER_QUERY = 500


class LoadError(Exception):
    """A file that cannot be loaded; the message says what and where."""


@dataclass
class TreeLoadResult:
    created: dict[int, int] = field(default_factory=dict)
    updated: dict[int, int] = field(default_factory=dict)
    unchanged: dict[int, int] = field(default_factory=dict)
    total: dict[int, int] = field(default_factory=dict)
    missing_from_source: int = 0

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


# idn-area-data files, their columns, the level they hold and the shape of their codes.
TREE_FILES: list[tuple[str, list[str], int, re.Pattern[str]]] = [
    ("provinces.csv", ["code", "name"], 1, re.compile(r"^\d{2}$")),
    ("regencies.csv", ["code", "province_code", "name"], 2, re.compile(r"^\d{2}\.\d{2}$")),
    ("districts.csv", ["code", "regency_code", "name"], 3, re.compile(r"^\d{2}\.\d{2}\.\d{2}$")),
    (
        "villages.csv",
        ["code", "district_code", "name"],
        4,
        re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
    ),
]


# --- Reading files ----------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """A file's text, strictly UTF-8 (a BOM is allowed), or a LoadError naming the line."""
    if not path.exists():
        raise LoadError(_("File not found: %(path)s") % {"path": path})
    if not path.is_file():
        raise LoadError(_("Not a file: %(path)s") % {"path": path})
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoadError(
            _("%(path)s is not UTF-8 text (invalid byte at line %(line)s). Save it as UTF-8.")
            % {"path": path.name, "line": line}
        ) from exc
    if not text.strip():
        raise LoadError(_("%(path)s is empty.") % {"path": path.name})
    return text


def read_csv_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line number, values) of every non-blank row, values stripped.

    Every row must have as many values as the header (a cut last line has fewer), and quotes must
    close; otherwise a LoadError names the line.
    """
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = [column.strip() for column in next(reader)]
        for values in reader:
            values = [value.strip() for value in values]
            if not any(values):
                continue  # a blank line, or one of only commas as spreadsheets leave
            if len(values) > len(header) and not any(values[len(header) :]):
                values = values[: len(header)]
            if len(values) != len(header):
                raise LoadError(
                    _(
                        "%(path)s line %(line)s has %(found)s values where the header has "
                        "%(expected)s (the file may be truncated, or a value has an unquoted "
                        "comma)."
                    )
                    % {
                        "path": path.name,
                        "line": reader.line_num,
                        "found": len(values),
                        "expected": len(header),
                    }
                )
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise LoadError(
            _(
                "%(path)s line %(line)s cannot be read as CSV: %(error)s (the file may be "
                "truncated)."
            )
            % {"path": path.name, "line": reader.line_num, "error": exc}
        ) from exc
    return header, rows


def read_csv(path: Path, expected: list[str]) -> pl.DataFrame:
    """The expected columns of a CSV whose header starts with them, as text, plus `line`."""
    header, rows = read_csv_rows(path)
    if header[: len(expected)] != expected:
        raise LoadError(
            _("%(path)s: expected the columns %(expected)s in line 1, found %(found)s.")
            % {"path": path.name, "expected": ",".join(expected), "found": ",".join(header)}
        )
    columns = {name: [values[i] for _line, values in rows] for i, name in enumerate(expected)}
    return pl.DataFrame(
        {**columns, "line": [line for line, _values in rows]},
        schema={**dict.fromkeys(expected, pl.String), "line": pl.Int64},
    )


# --- The wilayah tree -------------------------------------------------------------------------


def _check_rows(
    frame: pl.DataFrame,
    path: Path,
    pattern: re.Pattern[str],
    parent_col: str | None,
    parents: set[str],
) -> None:
    for row in frame.iter_rows(named=True):
        line = row["line"]
        code, name = row["code"] or "", row["name"] or ""
        if not pattern.match(code):
            raise LoadError(
                _("%(path)s line %(line)s: the code %(code)r does not have the form %(form)s.")
                % {"path": path.name, "line": line, "code": code, "form": pattern.pattern}
            )
        if not name:
            raise LoadError(
                _("%(path)s line %(line)s: the name is empty (the file may be truncated).")
                % {"path": path.name, "line": line}
            )
        if parent_col is not None:
            parent = row[parent_col] or ""
            if parent != code.rsplit(".", 1)[0] or parent not in parents:
                raise LoadError(
                    _("%(path)s line %(line)s: the parent code %(parent)r of %(code)s is unknown.")
                    % {"path": path.name, "line": line, "parent": parent, "code": code}
                )


def _region_type(code: str, level: int) -> str:
    if level == Level.PROVINSI:
        return RegionType.PROVINSI
    if level == Level.KABUPATEN_KOTA:
        return RegionType.KOTA if code[3] == "7" else RegionType.KABUPATEN
    if level == Level.KECAMATAN:
        return RegionType.KECAMATAN
    village = code[-4]
    return {"1": RegionType.KELURAHAN, "3": RegionType.DESA_ADAT}.get(village, RegionType.DESA)


def read_tree(source: Path) -> list[tuple[str, str, str, int, str, str | None]]:
    """Every region of the idn-area-data folder as (code, name, name_key, level, type, parent)."""
    if not source.is_dir():
        raise LoadError(
            _(
                "Folder not found: %(path)s. Run `npm ci` (or `make install`) to install "
                "idn-area-data, or pass --source."
            )
            % {"path": source}
        )
    rows: list[tuple[str, str, str, int, str, str | None]] = []
    known: set[str] = set()
    for filename, columns, level, pattern in TREE_FILES:
        path = source / filename
        frame = read_csv(path, columns)
        if frame.height == 0:
            raise LoadError(_("%(path)s has a header but no rows.") % {"path": path.name})
        parent_col = columns[1] if len(columns) == 3 else None
        _check_rows(frame, path, pattern, parent_col, known)
        codes = frame["code"].to_list()
        if len(set(codes)) != len(codes):
            dupe = frame.filter(pl.col("code").is_duplicated())["code"][0]
            raise LoadError(
                _("%(path)s: the code %(code)s appears more than once.")
                % {"path": path.name, "code": dupe}
            )
        for code, name in zip(codes, frame["name"].to_list(), strict=True):
            parent = code.rsplit(".", 1)[0] if level > 1 else None
            rows.append(
                (code, name, normalise_name(name, level), level, _region_type(code, level), parent)
            )
        known.update(codes)
    return rows


@transaction.atomic
def load_tree(source: Path, *, by: Any = None) -> TreeLoadResult:
    """Upsert the whole tree. Unchanged rows are not written; a second run writes nothing."""
    rows = read_tree(source)
    existing = {
        code: (name, key, level, type_, parent)
        for code, name, key, level, type_, parent in Region.objects.values_list(
            "code", "name", "name_key", "level", "type", "parent_id"
        )
    }
    result = TreeLoadResult()
    new: list[tuple[str, str, str, int, str, str | None]] = []
    changed: list[tuple[str, str, int, str, str | None, str]] = []
    for code, name, key, level, type_, parent in rows:
        result.total[level] = result.total.get(level, 0) + 1
        old = existing.pop(code, None)
        if old is None:
            new.append((code, name, key, level, type_, parent))
            result.created[level] = result.created.get(level, 0) + 1
        elif old != (name, key, level, type_, parent):
            changed.append((name, key, level, type_, parent, code))
            result.updated[level] = result.updated.get(level, 0) + 1
        else:
            result.unchanged[level] = result.unchanged.get(level, 0) + 1
    result.missing_from_source = len(existing)
    table = Region._meta.db_table
    columns = "code, name, name_key, level, type, parent_id"
    with connection.cursor() as cursor:
        if new and connection.vendor == "postgresql":
            # Foreign keys are deferred to commit, so rows may arrive in any order.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in new:
                    copy.write_row(row)
        elif new:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608
                new,
            )
        if changed:
            cursor.executemany(
                f"UPDATE {table} SET name = %s, name_key = %s, level = %s, type = %s,"  # noqa: S608
                " parent_id = %s WHERE code = %s",
                changed,
            )
        # Fresh statistics: without them SQLite reads a name lookup through the level index
        # (23,000 rows) instead of the (parent, name_key) one.
        cursor.execute(f"ANALYZE {table}")
    if result.changed:
        _record_load(
            by=by,
            action="regions_loaded",
            model=Region,
            source=str(source),
            after={
                "created": sum(result.created.values()),
                "updated": sum(result.updated.values()),
                "unchanged": sum(result.unchanged.values()),
            },
        )
    return result


def _record_load(
    *, by: Any, action: str, model: type[models.Model], source: str, after: dict[str, Any]
) -> None:
    """One audit event for a bulk load (its counts), in the load's transaction."""
    record(
        by=by,
        action=action,
        object_type=model._meta.label_lower,
        object_repr=source[-200:],
        after=after,
        batch=new_batch_id(),
    )


# --- Boundaries -------------------------------------------------------------------------------


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


def read_boundaries(path: Path, code_property: str = "kode") -> list[BoundaryRow]:
    """The features of a GeoJSON FeatureCollection, each checked and with its bounding box."""
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
        _boundary_row(index, feature, path, code_property) for index, feature in enumerate(features)
    ]
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
    path: Path, *, code_property: str = "kode", allow_unmatched: bool = False, by: Any = None
) -> BoundaryLoadResult:
    """Attach each feature's polygon to the region with its code; replace changed ones.

    Features whose code is not a known region refuse the whole file, unless `allow_unmatched`:
    then they are left out and listed in the result.
    """
    rows = read_boundaries(path, code_property)
    with transaction.atomic():
        known = _known_codes(row.code for row in rows)
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
                    "list": _listing(f"features[{index}] {code}" for index, code in unmatched),
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
            _record_load(
                by=by,
                action="boundaries_loaded",
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
    for chunk in _chunks(codes):
        for region_id, *values in Boundary.objects.filter(region_id__in=chunk).values_list(
            "region_id", "geometry", "min_lng", "min_lat", "max_lng", "max_lat", "source"
        ):
            existing[region_id] = tuple(values)
    return existing


# --- Population -------------------------------------------------------------------------------

YEARS = range(1900, 2101)
MAX_COUNT = 2_147_483_647  # the largest value of Population.count on every database
_WHOLE_NUMBER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class PopulationRow:
    line: int
    code: str
    year: int
    count: int | None  # None: the file leaves the count empty


@dataclass
class PopulationLoadResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # (line, code)
    empty: list[tuple[int, str]] = field(default_factory=list)  # (line, code)
    years: list[int] = field(default_factory=list)


def read_population(
    path: Path, *, year: int | None = None, count_column: str = "jumlah"
) -> list[PopulationRow]:
    """Rows of a `kode,tahun,jumlah` CSV; `year` stands in for a missing `tahun` column."""
    header, rows = read_csv_rows(path)
    _check_population_header(path, header, year, count_column)
    code_at, count_at = header.index("kode"), header.index(count_column)
    year_at = header.index("tahun") if year is None else -1
    if year is not None and year not in YEARS:
        raise LoadError(_("The year %(year)s is not between 1900 and 2100.") % {"year": year})
    result: list[PopulationRow] = []
    first_line: dict[tuple[str, int], int] = {}
    for line, values in rows:
        where = {"path": path.name, "line": line}
        code = values[code_at]
        if not code:
            raise LoadError(_("%(path)s line %(line)s: the code (kode) is empty.") % where)
        row_year = year if year is not None else _parse_year(values[year_at], where)
        count = _parse_count(values[count_at], count_column, where)
        if (code, row_year) in first_line:
            raise LoadError(
                _("%(path)s line %(line)s repeats %(code)s for %(year)s (first on line %(first)s).")
                % {**where, "code": code, "year": row_year, "first": first_line[code, row_year]}
            )
        first_line[code, row_year] = line
        result.append(PopulationRow(line=line, code=code, year=row_year, count=count))
    if not result:
        raise LoadError(_("%(path)s has a header but no rows.") % {"path": path.name})
    return result


def _check_population_header(
    path: Path, header: list[str], year: int | None, count_column: str
) -> None:
    if year is not None and "tahun" in header:
        raise LoadError(
            _("%(path)s has a tahun column: give the year there, not with --year.")
            % {"path": path.name}
        )
    if year is not None:
        expected = ["kode", count_column]
        message = _("%(path)s: expected the columns %(expected)s in line 1, found %(found)s.")
    else:
        expected = ["kode", "tahun", count_column]
        message = _(
            "%(path)s: expected the columns %(expected)s in line 1, found %(found)s. "
            "For a file without tahun, pass --year."
        )
    if not set(expected) <= set(header):
        raise LoadError(
            message % {"path": path.name, "expected": ",".join(expected), "found": ",".join(header)}
        )


def _parse_year(text: str, where: dict[str, Any]) -> int:
    if not _WHOLE_NUMBER.match(text) or int(text) not in YEARS:
        raise LoadError(
            _("%(path)s line %(line)s: the year (tahun) %(value)r is not between 1900 and 2100.")
            % {**where, "value": text}
        )
    return int(text)


def _parse_count(text: str, column: str, where: dict[str, Any]) -> int | None:
    if not text:
        return None
    if not _WHOLE_NUMBER.match(text) or int(text) > MAX_COUNT:
        raise LoadError(
            _(
                "%(path)s line %(line)s: %(column)s %(value)r is not a whole number of people "
                "(write 1234567, without dots, commas or spaces)."
            )
            % {**where, "column": column, "value": text}
        )
    return int(text)


def load_population(
    path: Path,
    *,
    year: int | None = None,
    count_column: str = "jumlah",
    label: str | None = None,
    allow_unmatched: bool = False,
    skip_empty: bool = False,
    by: Any = None,
) -> PopulationLoadResult:
    """Upsert Population(region, year) from a CSV; `label` (default: the file name) is the source.

    Rows with an unknown code or an empty count refuse the whole file, unless `allow_unmatched`
    or `skip_empty` say to leave them out; the result lists them.
    """
    rows = read_population(path, year=year, count_column=count_column)
    source = label or path.name
    with transaction.atomic():
        known = _known_codes(row.code for row in rows)
        unmatched = [(row.line, row.code) for row in rows if row.code not in known]
        empty = [(row.line, row.code) for row in rows if row.code in known and row.count is None]
        _refuse_skipped(path, unmatched, allow_unmatched, empty, skip_empty)
        result = PopulationLoadResult(
            rows=len(rows), unmatched=unmatched, empty=empty, years=sorted({r.year for r in rows})
        )
        existing = _existing_population([row.code for row in rows], result.years)
        changed: list[Population] = []
        for row in rows:
            if row.code not in known or row.count is None:
                continue
            old = existing.get((row.code, row.year))
            if old == (row.count, source):
                result.unchanged += 1
                continue
            if old is None:
                result.created += 1
            else:
                result.updated += 1
            changed.append(
                Population(region_id=row.code, year=row.year, count=row.count, source=source)
            )
        Population.objects.bulk_create(
            changed,
            batch_size=CODES_PER_QUERY,
            update_conflicts=True,
            unique_fields=["region", "year"],
            update_fields=["count", "source", "loaded_at"],
        )
        if changed:
            _record_load(
                by=by,
                action="population_loaded",
                model=Population,
                source=source,
                after={
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "years": result.years,
                },
            )
    return result


def _refuse_skipped(
    path: Path,
    unmatched: list[tuple[int, str]],
    allow_unmatched: bool,
    empty: list[tuple[int, str]],
    skip_empty: bool,
) -> None:
    if unmatched and not allow_unmatched:
        raise LoadError(
            _(
                "%(path)s: codes that are not known regions (%(count)s): %(list)s. Nothing was "
                "loaded. Correct them, or pass --allow-unmatched to load the other rows."
            )
            % {
                "path": path.name,
                "count": len(unmatched),
                "list": _listing(_lines(unmatched)),
            }
        )
    if empty and not skip_empty:
        raise LoadError(
            _(
                "%(path)s: rows with an empty count (%(count)s): %(list)s. Nothing was loaded. "
                "Fill them in, or pass --skip-empty to load the other rows."
            )
            % {
                "path": path.name,
                "count": len(empty),
                "list": _listing(_lines(empty)),
            }
        )


def _existing_population(
    codes: list[str], years: list[int]
) -> dict[tuple[str, int], tuple[int, str]]:
    existing: dict[tuple[str, int], tuple[int, str]] = {}
    for chunk in _chunks(codes):
        for region_id, year, count, source in Population.objects.filter(
            region_id__in=chunk, year__in=years
        ).values_list("region_id", "year", "count", "source"):
            existing[region_id, year] = (count, source)
    return existing


# --- Shared helpers ---------------------------------------------------------------------------


def _chunks(codes: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(codes), CODES_PER_QUERY):
        yield codes[start : start + CODES_PER_QUERY]


def _known_codes(codes: Iterable[str]) -> set[str]:
    """Those of `codes` that are regions in the database."""
    known: set[str] = set()
    for chunk in _chunks(sorted(set(codes))):
        known.update(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
    return known


def _lines(problems: list[tuple[int, str]]) -> list[str]:
    return [_("line %(line)s: %(code)s") % {"line": line, "code": code} for line, code in problems]


def _listing(items: Iterable[str]) -> str:
    """`"a; b; c"`, or the first LISTED_PROBLEMS items and "and N more"."""
    items = list(items)
    text = "; ".join(items[:LISTED_PROBLEMS])
    if len(items) > LISTED_PROBLEMS:
        text += " " + _("and %(count)s more") % {"count": len(items) - LISTED_PROBLEMS}
    return text
