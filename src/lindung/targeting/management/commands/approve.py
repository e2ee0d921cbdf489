"""`lindung approve SCENARIO [--decree NUMBER] [--note TEXT] [--json]`."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.formats import format_number, format_rupiah
from lindung.targeting.approval import ListError, approve
from lindung.targeting.models import Scenario


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Approve a targeting scenario as the beneficiary list of its fiscal year.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("scenario", type=int, help=_("scenario number"))
        parser.add_argument("--decree", default="", help=_("decree number (SK Bupati)"))
        parser.add_argument("--note", default="", help=_("why (required for a revision)"))
        parser.add_argument("--json", action="store_true", help=_("print the result as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        scenario = Scenario.objects.filter(pk=options["scenario"]).first()
        if scenario is None:
            raise CommandError(
                _("There is no scenario %(number)s.") % {"number": options["scenario"]}
            )
        try:
            approved = approve(
                by="cli", scenario=scenario, decree=options["decree"], note=options["note"]
            )
        except ListError as error:
            raise CommandError(error.message) from error
        result = {
            "list": approved.number,
            "fiscal_year": approved.fiscal_year,
            "version": approved.version,
            "previous": approved.previous.number if approved.previous else None,
            "selected": approved.selected,
            "cost": approved.cost,
            "added": approved.added,
            "removed": approved.removed,
            "moved": approved.moved,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            _(
                "List %(number)s (fiscal year %(year)s, version %(version)s): %(selected)s "
                "workers, %(cost)s."
            )
            % {
                "number": approved.number,
                "year": approved.fiscal_year,
                "version": approved.version,
                "selected": format_number(approved.selected),
                "cost": format_rupiah(approved.cost),
            }
        )
