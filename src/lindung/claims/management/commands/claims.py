"""`lindung claims …`: BPJS claim reports from the command line.

    lindung claims import FILE [--dry-run] [--json]

JSON: {rows_total, matched, new, unmatched, problems, unchanged, rows: [{row, kpj, nik, type,
event_date, paid_on, amount, status, claim, errors, message}]} (`claims.reports.command`).
Exits 1 when any row has a problem, and when the file cannot be used (the message; with
--json also as {"error": message} on stdout); 0 otherwise.
"""

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.claims.states import ClaimError

ACTOR = "cli"


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Claims to BPJS Ketenagakerjaan: import the branch's claim reports.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        report = commands.add_parser(
            "import", help=_("match the branch's report of paid claims to the recorded claims")
        )
        report.add_argument("file", type=Path, metavar="FILE")
        report.add_argument("--dry-run", action="store_true",
                            help=_("check only, change nothing"))  # fmt: skip
        report.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['command']}")(options)
        except ClaimError as error:
            if options.get("json"):
                self.stdout.write(json.dumps({"error": str(error)}))
            raise CommandError(str(error)) from error

    def _import(self, options: dict[str, Any]) -> None:
        from lindung.claims.reports import command

        result = command.run(
            options["file"],
            dry_run=options["dry_run"],
            as_json=options["json"],
            stdout=self.stdout,
            by=ACTOR,
        )
        if result["problems"]:
            sys.exit(1)
