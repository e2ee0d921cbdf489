"""`lindung synth --rows N [--messy] [--seed S] [--kabupaten 52.03] --out FILE.{csv,xlsx}
[--manifest FILE.json]`: a realistic worker list, to try imports, demos and benchmarks with.

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
            default=settings.LINDUNG_DEFAULT_KABUPATEN,
            metavar="CODE",
            help=_("where the workers live (default: %(default)s)"),
        )
        parser.add_argument(
            "--out", type=Path, required=True, metavar="FILE", help=_("a .csv or .xlsx file")
        )
        parser.add_argument(
            "--manifest",
            type=Path,
            metavar="FILE.json",
            help=_("also write the expected import outcome of every row here"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        started = time.perf_counter()
        try:
            check_suffix(out.suffix)  # before the work, not after
            synthetic = generate(
                options["rows"],
                kabupaten=options["kabupaten"],
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
