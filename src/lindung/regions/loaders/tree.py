"""The Kemendagri wilayah tree from idn-area-data's CSV files."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import connection, transaction
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor
from lindung.regions.loaders.database import record_load
from lindung.regions.loaders.files import (
    LoadError,
    read_csv,
)
from lindung.regions.models import Level, Region, RegionType
from lindung.regions.names import normalise_name


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
def load_tree(source: Path, *, by: Actor | None = None) -> TreeLoadResult:
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
        record_load(
            by=by,
            action=Action.REGIONS_LOADED,
            model=Region,
            source=str(source),
            after={
                "created": sum(result.created.values()),
                "updated": sum(result.updated.values()),
                "unchanged": sum(result.unchanged.values()),
            },
        )
    return result
