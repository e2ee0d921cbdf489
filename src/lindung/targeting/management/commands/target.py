"""`lindung target --year 2027 --budget apbd=12000000000 [--kabupaten 52.03] [--policy N] [--json]
[--out F.xlsx]`. `--kabupaten` is needed in an installation that serves several kabupaten/kota."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.formats import format_number, format_rupiah
from lindung.targeting.exports import write_lampiran
from lindung.targeting.services import TargetingError, run_scenario, scenario_json


def _budget(text: str) -> tuple[str, int]:
    code, _sep, amount = text.partition("=")
    digits = amount.replace(".", "").replace("_", "").strip()
    if not code or not digits.isdigit():
        raise CommandError(
            _("Write a budget as SOURCE=RUPIAH, for example apbd=12000000000 (got %(text)s).")
            % {"text": text}
        )
    return code.strip().lower(), int(digits)


class Command(BaseCommand):
    requires_system_checks = []  # start-up time counts: an operator waits for the run

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Select the workers each funding source pays for in a fiscal year.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True, help=_("fiscal year"))
        parser.add_argument(
            "--budget", action="append", default=[], metavar="SOURCE=RUPIAH",
            help=_("a source's budget (repeatable); the policy's budget otherwise"),
        )  # fmt: skip
        parser.add_argument(
            "--kabupaten", metavar="CODE",
            help=_("the regency/city whose policy and workers (needed when there are several)"),
        )  # fmt: skip
        parser.add_argument("--policy", type=int, metavar="VERSION", help=_("policy version"))
        parser.add_argument("--name", default="", help=_("a name for the scenario"))
        parser.add_argument("--json", action="store_true", help=_("print the result as JSON"))
        parser.add_argument(
            "--out", type=Path, metavar="FILE.xlsx", help=_("write the beneficiary list here")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        budgets = dict(_budget(text) for text in options["budget"])
        try:
            scenario = run_scenario(
                by="cli",
                fiscal_year=options["year"],
                budgets=budgets,
                policy_number=options["policy"],
                name=options["name"],
                kabupaten=options["kabupaten"],
            )
        except TargetingError as error:
            raise CommandError(error.message) from error
        if options["out"]:
            write_lampiran(scenario, options["out"])
        if options["json"]:
            self.stdout.write(json.dumps(scenario_json(scenario)))
            return
        self.stdout.write(
            _("Scenario %(id)s: %(selected)s workers, %(cost)s; unspent %(unspent)s.")
            % {
                "id": scenario.pk,
                "selected": format_number(scenario.selected),
                "cost": format_rupiah(scenario.cost),
                "unspent": format_rupiah(scenario.unspent),
            }
        )
        for code, figures in scenario.by_source.items():
            self.stdout.write(
                f"  {code}: {format_number(figures['selected'])} · {format_rupiah(figures['cost'])}"
                f" / {format_rupiah(figures['budget'])}"
            )
