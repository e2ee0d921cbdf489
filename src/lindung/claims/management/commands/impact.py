"""`lindung impact --year Y [--json]`: the Perbup's return in a fiscal year (`claims.impact`).

JSON (an interface, issue 16): {year, premiums, benefits, ratio, families, children,
by_source: {code: {label, premiums, benefits, ratio, families, children, cases, paid_cases}},
by_type: {kind: {label, cases, paid_cases, benefits, families}}, then by_kecamatan,
by_occupation, by_desil (rows as by_source), cases, paid_cases, sponsored_benefits, expected:
{rates_verified, note, participant_years, deaths, accidents, actual_deaths, actual_accidents,
bands: […]}, rates_verified}. The whole deployment, every count shown (the command line is the
administrator's).
"""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.claims.impact import impact
from lindung.formats import EMPTY, format_number, format_rupiah


def _ratio(value: float | None) -> str:
    return EMPTY if value is None else format_number(value, 2)


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Premiums paid against benefits paid in a fiscal year, and who they reached.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True, metavar="Y")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        year = int(options["year"])
        if not 2000 <= year <= 2100:
            message = _("%(year)s is not a fiscal year: write it as 2027.") % {"year": year}
            if options["json"]:
                self.stdout.write(json.dumps({"error": message}))
            raise CommandError(message)
        result = impact(year)
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(self._summary(result))

    def _summary(self, result: dict[str, Any]) -> str:
        expected = result["expected"]
        lines = [
            _("Impact of fiscal year %(year)s") % {"year": result["year"]},
            _("Premiums paid: %(amount)s") % {"amount": format_rupiah(result["premiums"])},
            _("Benefits paid: %(amount)s") % {"amount": format_rupiah(result["benefits"])},
            _("Ratio of benefits to premiums: %(ratio)s") % {"ratio": _ratio(result["ratio"])},
            _("Families reached: %(n)s") % {"n": format_number(result["families"])},
            _("Children with a scholarship: %(n)s") % {"n": format_number(result["children"])},
            _("Cases: %(cases)s, of them paid: %(paid)s")
            % {
                "cases": format_number(result["cases"]),
                "paid": format_number(result["paid_cases"]),
            },
            "",
            _("By funding source:"),
        ]
        lines += [
            "  "
            + _("%(source)s: premiums %(premiums)s, benefits %(benefits)s, ratio %(ratio)s")
            % {
                "source": row["label"],
                "premiums": format_rupiah(row["premiums"]),
                "benefits": format_rupiah(row["benefits"]),
                "ratio": _ratio(row["ratio"]),
            }
            for row in result["by_source"].values()
        ]
        lines.append(_("By type of benefit:"))
        lines += [
            "  "
            + _("%(kind)s: %(cases)s cases, %(paid)s paid, %(benefits)s")
            % {
                "kind": row["label"],
                "cases": format_number(row["cases"]),
                "paid": format_number(row["paid_cases"]),
                "benefits": format_rupiah(row["benefits"]),
            }
            for row in result["by_type"].values()
        ]
        lines += [
            "",
            _(
                "Expected in %(years)s participant-years: %(deaths)s deaths and %(accidents)s "
                "accidents; reported: %(actual_deaths)s deaths and %(actual_accidents)s accidents."
            )
            % {
                "years": format_number(expected["participant_years"], 2),
                "deaths": format_number(expected["deaths"], 2),
                "accidents": format_number(expected["accidents"], 2),
                "actual_deaths": format_number(expected["actual_deaths"]),
                "actual_accidents": format_number(expected["actual_accidents"]),
            },
        ]
        if not expected["rates_verified"]:
            lines.append(_("The expected rates are UNVERIFIED defaults: confirm them first."))
        return "\n".join(lines)
