"""`lindung regions load | load-boundaries | load-population`: reference data into the database."""

from argparse import SUPPRESS, ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.formats import format_number
from lindung.regions.loaders import (
    LoadError,
    TreeLoadResult,
    load_boundaries,
    load_population,
    load_tree,
)
from lindung.regions.models import Level


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Translated here, not at import: argparse cannot format a lazy string.
        self.help = _("Load the wilayah tree, region boundaries and population figures.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        common = [_django_options()]
        load = actions.add_parser(
            "load", parents=common, help=_("load or update the Kemendagri tree from idn-area-data")
        )
        load.add_argument(
            "--source",
            type=Path,
            default=settings.LINDUNG_AREA_DATA,
            metavar="DIR",
            help=_("folder with provinces.csv … villages.csv (default: %(default)s)"),
        )
        boundaries = actions.add_parser(
            "load-boundaries",
            parents=common,
            help=_("attach polygons from a GeoJSON FeatureCollection"),
        )
        boundaries.add_argument("file", type=Path, metavar="FILE.geojson")
        boundaries.add_argument(
            "--code-property",
            default="kode",
            metavar="NAME",
            help=_("feature property holding the region code (default: kode)"),
        )
        boundaries.add_argument(
            "--allow-unmatched",
            action="store_true",
            help=_("load the features with a known code and list the others"),
        )
        boundaries.add_argument(
            "--within",
            metavar="CODE",
            help=_("only the features of this region and below it, e.g. 52 (one province)"),
        )
        population = actions.add_parser(
            "load-population",
            parents=common,
            help=_("load population counts from a kode,tahun,jumlah CSV"),
        )
        population.add_argument("file", type=Path, metavar="FILE.csv")
        population.add_argument(
            "--year", type=int, metavar="YYYY", help=_("the year, for a file without tahun")
        )
        population.add_argument(
            "--count-column",
            default="jumlah",
            metavar="NAME",
            help=_("column holding the count (default: jumlah)"),
        )
        population.add_argument(
            "--label", metavar="TEXT", help=_("source noted with each figure (default: file name)")
        )
        population.add_argument(
            "--allow-unmatched",
            action="store_true",
            help=_("load the rows with a known code and list the others"),
        )
        population.add_argument(
            "--skip-empty",
            action="store_true",
            help=_("leave out rows with an empty count and list them"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "load": self._load,
            "load-boundaries": self._load_boundaries,
            "load-population": self._load_population,
        }
        try:
            handlers[options["action"]](options)
        except LoadError as exc:
            raise CommandError(str(exc)) from exc

    def _load(self, options: dict[str, Any]) -> None:
        source = options["source"]
        result = load_tree(source)
        self.stdout.write(_("Wilayah tree from %(source)s:") % {"source": source})
        for line in _tree_table(result):
            self.stdout.write(line)
        self.stdout.write(
            _("Missing from source (kept in the database): %(count)s")
            % {"count": format_number(result.missing_from_source)}
        )
        if not result.changed:
            self.stdout.write(_("Nothing changed."))

    def _load_boundaries(self, options: dict[str, Any]) -> None:
        path = options["file"]
        result = load_boundaries(
            path,
            code_property=options["code_property"],
            allow_unmatched=options["allow_unmatched"],
            within=options["within"],
        )
        self.stdout.write(
            _("%(file)s: %(count)s features.")
            % {"file": path.name, "count": format_number(result.features)}
        )
        self.stdout.write(
            _("Attached: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s.")
            % _counts(result.created, result.updated, result.unchanged)
        )
        self._list(
            _("Not loaded, code not a known region (%(count)s):"),
            [f"features[{index}] {code}" for index, code in result.unmatched],
        )

    def _load_population(self, options: dict[str, Any]) -> None:
        path = options["file"]
        result = load_population(
            path,
            year=options["year"],
            count_column=options["count_column"],
            label=options["label"],
            allow_unmatched=options["allow_unmatched"],
            skip_empty=options["skip_empty"],
        )
        self.stdout.write(
            _("%(file)s: %(count)s rows, year %(years)s.")
            % {
                "file": path.name,
                "count": format_number(result.rows),
                "years": ", ".join(str(year) for year in result.years),
            }
        )
        self.stdout.write(
            _("Created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s.")
            % _counts(result.created, result.updated, result.unchanged)
        )
        self._list(
            _("Not loaded, code not a known region (%(count)s):"),
            [_("line %(line)s: %(code)s") % {"line": n, "code": c} for n, c in result.unmatched],
        )
        self._list(
            _("Not loaded, empty count (%(count)s):"),
            [_("line %(line)s: %(code)s") % {"line": n, "code": c} for n, c in result.empty],
        )

    def _list(self, title: str, items: list[str]) -> None:
        if items:
            self.stdout.write(title % {"count": format_number(len(items))})
            for item in items:
                self.stdout.write(f"  {item}")


def _django_options() -> ArgumentParser:
    """Django's own options, so that they may also follow the action (`load --settings=…`).

    Without a default of their own they leave the values parsed before the action alone.
    """
    parser = ArgumentParser(add_help=False)
    parser.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3])
    for name in ("--settings", "--pythonpath"):
        parser.add_argument(name)
    for name in ("--traceback", "--no-color", "--force-color", "--skip-checks"):
        parser.add_argument(name, action="store_true")
    for action in parser._actions:
        action.default, action.help = SUPPRESS, SUPPRESS
    return parser


def _counts(created: int, updated: int, unchanged: int) -> dict[str, str]:
    return {
        "created": format_number(created),
        "updated": format_number(updated),
        "unchanged": format_number(unchanged),
    }


def _tree_table(result: TreeLoadResult) -> list[str]:
    """Counts per level, one line each, the numbers right-aligned under their headings."""
    rows = [[_("Level"), _("Total"), _("Created"), _("Updated"), _("Unchanged")]]
    for level in Level:
        counts = (result.total, result.created, result.updated, result.unchanged)
        rows.append([str(level.label), *(format_number(c.get(level, 0)) for c in counts)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
