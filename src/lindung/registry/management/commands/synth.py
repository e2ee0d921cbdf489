"""`lindung synth --rows N [--messy] [--seed S] [--kabupaten 52.03] --out FILE.{csv,xlsx}
[--manifest FILE.json]`: a realistic worker list, to try imports, demos and benchmarks with.

`lindung synth --rows N --province 52 [--split] [--messy] [--seed S] --out FILE|FOLDER`: the
workers of every kabupaten/kota of a province, in proportion to their population, in one file
or with `--split` one CSV file per kabupaten/kota (`pekerja-52.01.csv` …) in the folder --out
(`registry.synth.province`).

`lindung synth NAME …` runs a synthetic file of an app above the registry
(`registry.synth.subcommands`), e.g. `lindung synth bpjs-response BATCH.xlsx --out ANSWER.xlsx`.
"""

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.formats import format_number
from lindung.registry.synth import (
    SynthError,
    check_suffix,
    generate,
    subcommands,
    write,
    write_manifest,
)
from lindung.registry.synth.province import (
    ProvincePlan,
    plan_province,
    split_name,
    write_province,
)


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Translated here, not at import: argparse cannot format a lazy string.
        self.help = _("Write a synthetic worker list (CSV or XLSX) to try imports with.")

    def run_from_argv(self, argv: list[str]) -> None:
        factory = subcommands.get(argv[2]) if len(argv) > 2 else None
        if factory is not None:
            factory().run_from_argv([argv[0], f"synth {argv[2]}", *argv[3:]])
            return
        super().run_from_argv(argv)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--rows", type=int, required=True, metavar="N", help=_("number of workers")
        )
        parser.add_argument(
            "--messy",
            action="store_true",
            help=_("add the faults of real files, each in a known share of the rows"),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            metavar="S",
            help=_("the same seed gives the same file (default: %(default)s)"),
        )
        parser.add_argument(
            "--kabupaten",
            metavar="CODE",
            help=_("where the workers live (default: %(code)s)")
            % {"code": settings.LINDUNG_DEFAULT_KABUPATEN},
        )
        parser.add_argument(
            "--province",
            metavar="CODE",
            help=_(
                "the workers of every kabupaten/kota of this province, in proportion to their "
                "population (instead of --kabupaten)"
            ),
        )
        parser.add_argument(
            "--split",
            action="store_true",
            help=_(
                "with --province: one CSV file per kabupaten/kota (pekerja-52.01.csv …) in the "
                "folder --out"
            ),
        )
        parser.add_argument(
            "--out",
            type=Path,
            required=True,
            metavar="FILE",
            help=_("a .csv or .xlsx file (a folder with --split)"),
        )
        parser.add_argument(
            "--manifest",
            type=Path,
            metavar="FILE.json",
            help=_("also write the expected import outcome of every row here"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["province"] is not None:
            self._province(options)
            return
        if options["split"]:
            raise CommandError(
                _("--split writes one file per kabupaten/kota of a province: use it with "
                  "--province.")
            )  # fmt: skip
        out: Path = options["out"]
        started = time.perf_counter()
        try:
            check_suffix(out.suffix)  # before the work, not after
            synthetic = generate(
                options["rows"],
                kabupaten=options["kabupaten"] or settings.LINDUNG_DEFAULT_KABUPATEN,
                seed=options["seed"],
                messy=options["messy"],
            )
            write(synthetic, out)
        except SynthError as error:
            raise CommandError(str(error)) from error
        if options["manifest"]:
            write_manifest(synthetic, options["manifest"], suffix=out.suffix)
        counts = synthetic.expected_counts(out.suffix)
        self.stdout.write(
            _(
                "%(file)s: %(rows)s workers of %(kabupaten)s, seed %(seed)s, in %(seconds)s s. "
                "An import would give %(new)s new and %(rejected)s rejected rows and skip "
                "%(skipped)s."
            )
            % {
                "file": out.name,
                "rows": format_number(len(synthetic.manifest)),
                "kabupaten": synthetic.kabupaten,
                "seed": synthetic.seed,
                "seconds": format_number(time.perf_counter() - started, 1),
                "new": format_number(counts["new"]),
                "rejected": format_number(counts["rejected"]),
                "skipped": format_number(synthetic.skipped_rows),
            }
        )

    def _province(self, options: dict[str, Any]) -> None:
        if options["kabupaten"] is not None:
            raise CommandError(_("Give either --kabupaten or --province, not both."))
        if options["manifest"]:
            raise CommandError(
                _("--manifest describes the list of one kabupaten/kota: use it with "
                  "--kabupaten, not --province.")
            )  # fmt: skip
        out: Path = options["out"]
        started = time.perf_counter()
        try:
            if not options["split"]:
                check_suffix(out.suffix)  # before the work, not after
            plan = plan_province(
                options["province"],
                rows=options["rows"],
                seed=options["seed"],
                messy=options["messy"],
            )
            files = write_province(plan, out, split=options["split"])
        except SynthError as error:
            raise CommandError(str(error)) from error
        values = {
            "file": out.name,
            "rows": format_number(plan.rows),
            "province": plan.province,
            "name": plan.name,
            "count": format_number(len(files)),
            "seed": plan.seed,
            "seconds": format_number(time.perf_counter() - started, 1),
        }
        if options["split"]:
            summary = _(
                "%(file)s: %(rows)s workers of %(name)s (%(province)s), one file for each of "
                "%(count)s kabupaten/kota, seed %(seed)s, in %(seconds)s s."
            )
        else:
            summary = _(
                "%(file)s: %(rows)s workers of %(name)s (%(province)s), seed %(seed)s, in "
                "%(seconds)s s."
            )
        self.stdout.write(summary % values)
        self._shares(plan, split=options["split"])

    def _shares(self, plan: ProvincePlan, *, split: bool) -> None:
        for share in plan.shares:
            values = {
                "code": share.code,
                "name": share.name,
                "rows": format_number(share.rows),
                "population": format_number(share.population or 0),
                "desa": format_number(share.desa),
            }
            if share.population:
                line = _(
                    "%(code)s %(name)s: %(rows)s workers, in proportion to its population of "
                    "%(population)s"
                )
            else:
                line = _(
                    "%(code)s %(name)s: %(rows)s workers, in proportion to its %(desa)s "
                    "desa/kelurahan (no population figure)"
                )
            file = f" → {split_name(share.code)}" if split and share.rows else ""
            self.stdout.write(f"  {line % values}{file}")
