"""`lindung coverage --on DATE [--json]`: who is protected on a date.

JSON (an interface, issue 15): {date, protected, in_grace, lapsed, by_source: {source:
{protected, in_grace, lapsed}}, by_kecamatan: {code: {…}}}.
"""

import datetime
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.billing import coverage
from lindung.formats import format_date, format_number


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Participants protected, in grace and lapsed on a date.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--on", default="", metavar="DATE", help=_("default: today"))
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = (
                datetime.date.fromisoformat(options["on"])
                if options["on"]
                else timezone.localdate()
            )
        except ValueError as error:
            message = _("%(text)s is not a date: write it as YYYY-MM-DD.") % {"text": options["on"]}
            if options["json"]:
                self.stdout.write(json.dumps({"error": message}))
            raise CommandError(message) from error
        result = coverage.counts(on=on)
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            _("%(date)s: %(protected)s protected, %(grace)s in grace, %(lapsed)s lapsed.")
            % {
                "date": format_date(on),
                "protected": format_number(result["protected"]),
                "grace": format_number(result["in_grace"]),
                "lapsed": format_number(result["lapsed"]),
            }
        )
        for source, row in result["by_source"].items():
            self.stdout.write(
                f"  {source}: {format_number(row['protected'])} / "
                f"{format_number(row['in_grace'])} / {format_number(row['lapsed'])}"
            )
