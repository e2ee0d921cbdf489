"""`lindung billing …`: bills, payments and reconciliation from the command line.

    lindung billing bills --year Y [--source S] [--period 2027-01..2027-06] [--json]
    lindung billing pay BILL --amount N --date D [--sp2d NO] [--reference REF] [--json]
    lindung billing reconcile FILE [--dry-run] [--json]
    lindung billing issue BILL [--bpjs-number NO] [--code CODE] [--due D] [--date D]
    lindung billing delay BILL --reason TEXT | --clear
    lindung billing daily [--on D]          bills past due, lapses (serve runs it every day)

The JSON shapes are an interface other tools use (issue 15): bills → {bills: [{bill, wadah,
source, period, participants, amount}], total}; pay → {bill, state, amount, paid, outstanding,
paid_on, months_paid}; reconcile → {rows_total, matched, not_on_list, not_active,
amount_mismatch, status_mismatch, rows: […]}. A refusal exits 1 with the message (with --json
also as {"error": message} on stdout).
"""

import datetime
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.billing import ledger, services
from lindung.billing.models import Bill
from lindung.billing.states import BillingError
from lindung.formats import format_number, format_rupiah, month_name, parse_rupiah

ACTOR = "cli"


def period_text(bill: Bill) -> str:
    """ "2027-01..2027-06", as --period takes it."""
    last = ledger.add_months(bill.period_start, bill.months - 1)
    return f"{bill.period_start:%Y-%m}..{last:%Y-%m}"


def _date(text: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise BillingError(
        _("%(text)s is not a date: write it as YYYY-MM-DD, for example 2027-01-15.")
        % {"text": text}
    )


def _amount(text: str) -> int:
    try:
        return parse_rupiah(text)
    except ValueError as error:
        raise BillingError(
            _("%(text)s is not an amount of rupiah: write it as 2500000 or 2.500.000.")
            % {"text": text}
        ) from error


def _bill(number: str) -> Bill:
    bill = Bill.objects.filter(number=number.strip()).first()
    if bill is None:
        raise BillingError(_("There is no bill %(bill)s.") % {"bill": number})
    return bill


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Bills, payments and reconciliation with BPJS Ketenagakerjaan.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        bills = commands.add_parser("bills", help=_("make the bills of a fiscal year"))
        bills.add_argument("--year", type=int, required=True, metavar="Y")
        bills.add_argument("--source", default="", metavar="S")
        bills.add_argument("--period", default="", metavar="YYYY-MM..YYYY-MM")
        bills.add_argument("--json", action="store_true")
        pay = commands.add_parser("pay", help=_("record a payment of a bill"))
        pay.add_argument("bill", metavar="BILL")
        pay.add_argument("--amount", required=True, metavar="N")
        pay.add_argument("--date", required=True, metavar="D")
        pay.add_argument("--sp2d", default="", metavar="NO")
        pay.add_argument("--reference", default="", metavar="REF")
        pay.add_argument("--json", action="store_true")
        reconcile = commands.add_parser(
            "reconcile", help=_("compare the branch's recap with the bills and lists")
        )
        reconcile.add_argument("file", type=Path, metavar="FILE")
        reconcile.add_argument("--dry-run", action="store_true",
                               help=_("check only, change nothing"))  # fmt: skip
        reconcile.add_argument("--json", action="store_true")
        issue = commands.add_parser("issue", help=_("record the branch's bill"))
        issue.add_argument("bill", metavar="BILL")
        issue.add_argument("--bpjs-number", default="", metavar="NO")
        issue.add_argument("--code", default="", metavar="CODE",
                           help=_("the contribution assessment code"))  # fmt: skip
        issue.add_argument("--due", default="", metavar="D")
        issue.add_argument("--date", default="", metavar="D")
        delay = commands.add_parser("delay", help=_("mark a late release of a bill's funds"))
        delay.add_argument("bill", metavar="BILL")
        delay.add_argument("--reason", default="")
        delay.add_argument("--clear", action="store_true")
        daily = commands.add_parser("daily", help=_("bills past due and lapses of today"))
        daily.add_argument("--on", default="", metavar="D")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['command']}")(options)
        except BillingError as error:
            if options.get("json"):
                self.stdout.write(json.dumps({"error": error.message}))
            raise CommandError(error.message) from error

    def _bills(self, options: dict[str, Any]) -> None:
        year = options["year"]
        period = services.parse_period(options["period"], year) if options["period"] else None
        made = services.make_bills(
            by=ACTOR, fiscal_year=year, source=options["source"] or None, period=period
        )
        total = sum(b.amount for b in made)
        result = {
            "bills": [
                {
                    "bill": b.number,
                    "wadah": b.wadah.code,
                    "source": b.source,
                    "period": period_text(b),
                    "participants": b.participants,
                    "amount": b.amount,
                }
                for b in made
            ],
            "total": total,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        if not made:
            self.stdout.write(
                _("Nothing new to bill: every registered participant's months are billed.")
            )
            return
        for b in made:
            self.stdout.write(
                f"{b.number}  {b.wadah.code}  {b.source}  {period_text(b)}  "
                f"{format_number(b.participants)}  {format_rupiah(b.amount)}"
            )
        self.stdout.write(
            _("%(count)s bills, %(total)s in all.")
            % {"count": len(made), "total": format_rupiah(total)}
        )

    def _pay(self, options: dict[str, Any]) -> None:
        bill = _bill(options["bill"])
        payment = services.pay(
            by=ACTOR,
            bill=bill,
            amount=_amount(options["amount"]),
            paid_on=_date(options["date"]),
            sp2d=options["sp2d"],
            reference=options["reference"],
        )
        bill.refresh_from_db()
        covered = ledger.paid_months(bill)
        result = {
            "bill": bill.number,
            "state": bill.state,
            "amount": payment.amount,
            "paid": bill.paid,
            "outstanding": bill.outstanding,
            "paid_on": payment.paid_on.isoformat(),
            "months_paid": covered,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        through = ledger.add_months(bill.period_start, covered - 1) if covered else None
        self.stdout.write(
            _(
                "Bill %(bill)s: %(amount)s recorded; %(paid)s of %(total)s paid (%(state)s), "
                "participants covered through %(through)s."
            )
            % {
                "bill": bill.number,
                "amount": format_rupiah(payment.amount),
                "paid": format_rupiah(bill.paid),
                "total": format_rupiah(bill.amount),
                "state": bill.get_state_display(),
                "through": f"{month_name(through.month)} {through.year}" if through else "-",
            }
        )

    def _reconcile(self, options: dict[str, Any]) -> None:
        from lindung.billing.reconcile import command

        command.run(
            options["file"],
            dry_run=options["dry_run"],
            as_json=options["json"],
            stdout=self.stdout,
            by=ACTOR,
        )

    def _issue(self, options: dict[str, Any]) -> None:
        bill = services.issue_bill(
            by=ACTOR,
            bill=_bill(options["bill"]),
            bpjs_number=options["bpjs_number"],
            assessment_code=options["code"],
            due_date=_date(options["due"]) if options["due"] else None,
            billed_on=_date(options["date"]) if options["date"] else None,
        )
        self.stdout.write(
            _("Bill %(bill)s is billed, due %(due)s.")
            % {"bill": bill.number, "due": bill.due_date.isoformat()}
        )

    def _delay(self, options: dict[str, Any]) -> None:
        bill = services.set_funds_delayed(
            by=ACTOR,
            bill=_bill(options["bill"]),
            delayed=not options["clear"],
            reason=options["reason"],
        )
        self.stdout.write(
            _("Bill %(bill)s: funds late (%(reason)s).")
            % {"bill": bill.number, "reason": bill.delay_reason}
            if bill.funds_delayed
            else _("Bill %(bill)s: funds no longer marked late.") % {"bill": bill.number}
        )

    def _daily(self, options: dict[str, Any]) -> None:
        done = services.daily(_date(options["on"]) if options["on"] else None)
        self.stdout.write(
            _("%(past_due)s bills past due, %(lapsed)s participations lapsed.")
            % {k: format_number(v) for k, v in done.items()}
        )
