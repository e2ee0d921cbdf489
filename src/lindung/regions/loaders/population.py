"""Population counts per region and year from a CSV file."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor
from lindung.regions.loaders.database import CODES_PER_QUERY, chunks, known_codes, record_load
from lindung.regions.loaders.files import LoadError, listing, problem_lines, read_csv_rows
from lindung.regions.models import Population

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
    by: Actor | None = None,
) -> PopulationLoadResult:
    """Upsert Population(region, year) from a CSV; `label` (default: the file name) is the source.

    Rows with an unknown code or an empty count refuse the whole file, unless `allow_unmatched`
    or `skip_empty` say to leave them out; the result lists them.
    """
    rows = read_population(path, year=year, count_column=count_column)
    source = label or path.name
    with transaction.atomic():
        known = known_codes(row.code for row in rows)
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
            record_load(
                by=by,
                action=Action.POPULATION_LOADED,
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
                "list": listing(problem_lines(unmatched)),
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
                "list": listing(problem_lines(empty)),
            }
        )


def _existing_population(
    codes: list[str], years: list[int]
) -> dict[tuple[str, int], tuple[int, str]]:
    existing: dict[tuple[str, int], tuple[int, str]] = {}
    for chunk in chunks(codes):
        for region_id, year, count, source in Population.objects.filter(
            region_id__in=chunk, year__in=years
        ).values_list("region_id", "year", "count", "source"):
            existing[region_id, year] = (count, source)
    return existing
