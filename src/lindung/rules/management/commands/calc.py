"""`lindung calc iuran ...` and `lindung calc manfaat KIND ...`: the calculators as a command.

lindung calc iuran --income 1000000 --programs JKK,JKM --month 2026-05 --funding mandiri \
    [--sector transport] [--months 12] [--json]
lindung calc manfaat {jkm,jkk-death,jkk-disability,stmb} [--income N] [--months N] \
    [--contribution-years N] [--child LEVEL ...] [--part CODE ...] [--json]

A payment of several months prices each month under the rules in force that month; the text
output lists the months when they differ. `--json` prints the first month and the total only.
"""

import datetime
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.formats import format_rupiah
from lindung.rules import calculators
from lindung.rules.national import FUNDING, SCHOOL_LEVELS, RulesError, parse_month, rules_for


def _part_codes() -> list[str]:
    """The body parts of the partial disability table in force today (empty without one)."""
    try:
        table = rules_for(timezone.localdate()).partial_disability
    except (RulesError, DatabaseError):  # no database yet: the help still shows
        return []
    return [part.code for part in table.parts] if table else []


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Calculate a BPU contribution (iuran) or a benefit (manfaat).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="what", required=True)
        iuran = commands.add_parser("iuran", help=_("the monthly contribution"))
        iuran.add_argument("--income", type=int, required=True, metavar="RUPIAH")
        iuran.add_argument("--programs", default="JKK,JKM", help="JKK,JKM or JKK,JKM,JHT")
        iuran.add_argument("--month", required=True, metavar="YYYY-MM")
        iuran.add_argument("--funding", default="mandiri", help=", ".join(FUNDING))
        iuran.add_argument("--sector", default="", help="transport")
        iuran.add_argument("--months", type=int, default=1, help="1, 3, 6 or 12")
        iuran.add_argument("--json", action="store_true", help=_("print the outcome as JSON"))
        manfaat = commands.add_parser("manfaat", help=_("a benefit"))
        manfaat.add_argument("kind", choices=calculators.BENEFIT_KINDS)
        manfaat.add_argument("--income", type=int, metavar="RUPIAH")
        manfaat.add_argument("--months", type=int, help=_("STMB: months off work"))
        manfaat.add_argument("--contribution-years", type=int, metavar="N")
        manfaat.add_argument(
            "--child",
            action="append",
            default=[],
            metavar="LEVEL",
            help=_(
                "school level of a child for the scholarship (jkm, jkk-death, jkk-disability; "
                "up to two): %(levels)s"
            )
            % {"levels": ", ".join(SCHOOL_LEVELS)},
        )
        manfaat.add_argument(
            "--part",
            action="append",
            default=[],
            metavar="CODE",
            help=_(
                "jkk-disability: a body part lost, for a partial disability (repeat for several; "
                "their percentages add up, at most the table's cap, x 80 x reported income; "
                "without --part: total permanent disability). Codes: %(codes)s"
            )
            % {"codes": ", ".join(_part_codes())},
        )
        manfaat.add_argument("--json", action="store_true", help=_("print the outcome as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["what"] == "iuran":
                self._contribution(options)
            else:
                self._benefit(options)
        except RulesError as error:
            raise CommandError(error.message) from error

    def _contribution(self, options: dict[str, Any]) -> None:
        year, month = parse_month(options["month"])
        result = calculators.contribution(
            options["income"],
            programs=options["programs"].split(","),
            month=datetime.date(year, month, 1),
            funding=options["funding"],
            sector=options["sector"] or None,
            months=options["months"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json()))
            return
        if len({(m.total, m.version) for m in result.per_month}) > 1:
            for paid in result.per_month:
                self.stdout.write(
                    _("%(month)s: %(total)s (rules %(version)s)")
                    % {
                        "month": f"{paid.month[0]:04d}-{paid.month[1]:02d}",
                        "total": format_rupiah(paid.total),
                        "version": paid.version,
                    }
                )
        parts = [f"JKK {format_rupiah(result.jkk)}", f"JKM {format_rupiah(result.jkm)}"]
        if result.jht:
            parts.append(f"JHT {format_rupiah(result.jht)}")
        if result.reduction:
            parts.append(_("reduction -%(amount)s") % {"amount": format_rupiah(result.reduction)})
        self.stdout.write(
            _("%(parts)s = %(per_month)s per month; %(months)s month(s): %(total)s")
            % {
                "parts": ", ".join(parts),
                "per_month": format_rupiah(result.total_per_month),
                "months": result.months,
                "total": format_rupiah(result.total),
            }
        )

    def _benefit(self, options: dict[str, Any]) -> None:
        result = calculators.benefit(
            options["kind"],
            income=options["income"],
            months=options["months"],
            contribution_years=options["contribution_years"],
            children=[c.upper() for c in options["child"]],
            parts=options["part"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        for label, amount in result.breakdown:
            self.stdout.write(f"{label}: {format_rupiah(amount)}")
        self.stdout.write(_("Total: %(total)s") % {"total": format_rupiah(result.total)})
