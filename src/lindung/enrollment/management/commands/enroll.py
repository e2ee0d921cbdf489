"""`lindung enroll …`: registration with BPJS Ketenagakerjaan from the command line.

    lindung enroll batch --list N [--wadah CODE] [--start 2027-01] [--renewal]
                         --out FILE.xlsx|.csv [--json]
    lindung enroll response FILE --batch ID [--dry-run] [--json]     exit 1 when a row has a problem
    lindung enroll status [--year Y] [--json]
    lindung enroll wadah --code SG-APBD --name NAME --source apbd --type SG [--npw N] [--branch B]

The JSON shapes are an interface other tools use (issue 14): batch → {batch, list, wadah,
workers, problems, file}; response → {batch, rows_total, registered, rejected, already_active,
problems, rows: [{row, nik, kpj, status, errors}]}; status → {fiscal_year, rows, totals}.
"""

import json
import shutil
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.enrollment import queries
from lindung.enrollment.answers import service as answers
from lindung.enrollment.batches import batch_files, create_batch, parse_start
from lindung.enrollment.models import (
    Kind,
    Participation,
    RegistrationBatch,
    State,
    Wadah,
    WadahType,
)
from lindung.enrollment.services import EnrollmentError, save_wadah, sync_list
from lindung.formats import format_number
from lindung.sheets import ReadError
from lindung.targeting.models import BeneficiaryList

ACTOR = "cli"


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Registration with BPJS Ketenagakerjaan: batches, the branch's answers, counts."
        )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        batch = commands.add_parser("batch", help=_("make a registration batch and its file"))
        batch.add_argument("--list", type=int, required=True, metavar="N",
                           help=_("the approved list's number"))  # fmt: skip
        batch.add_argument("--wadah", default="", metavar="CODE")
        batch.add_argument(
            "--start",
            default="",
            metavar="YYYY-MM",
            help=_("the first month paid (default: January, or next month)"),
        )
        batch.add_argument("--renewal", action="store_true",
                           help=_("the workers whose KPJ is known (renewal)"))  # fmt: skip
        batch.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx|.csv")
        batch.add_argument("--json", action="store_true")
        response = commands.add_parser("response", help=_("read the branch's answer to a batch"))
        response.add_argument("file", type=Path, metavar="FILE")
        response.add_argument("--batch", type=int, required=True, metavar="ID")
        response.add_argument("--dry-run", action="store_true",
                              help=_("check only, change nothing"))  # fmt: skip
        response.add_argument("--json", action="store_true")
        status = commands.add_parser("status", help=_("participations per state"))
        status.add_argument("--year", type=int, metavar="Y")
        status.add_argument("--json", action="store_true")
        wadah = commands.add_parser("wadah", help=_("add or change a wadah"))
        wadah.add_argument("--code", required=True)
        wadah.add_argument("--name", required=True)
        wadah.add_argument("--source", required=True)
        wadah.add_argument("--type", default=WadahType.SG, choices=WadahType.values)
        wadah.add_argument("--npw", default="")
        wadah.add_argument("--branch", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command"]
        try:
            if command == "batch":
                self._batch(options)
            elif command == "response":
                self._response(options)
            elif command == "status":
                self._status(options)
            else:
                self._wadah(options)
        except EnrollmentError as error:
            if options.get("json"):
                self.stdout.write(json.dumps({"error": error.message}))
            raise CommandError(error.message) from error

    def _wadah_for(self, approved: BeneficiaryList, code: str, kind: str) -> Wadah:
        if code:
            wadah = Wadah.objects.filter(code=code).first()
            if wadah is None:
                raise EnrollmentError(_("There is no wadah %(code)s.") % {"code": code})
            return wadah
        waiting = set(
            Participation.objects.filter(
                beneficiary_list=approved, state=State.CALON, kind=kind
            ).values_list("source", flat=True)
        )
        choices = list(Wadah.objects.filter(active=True, source__in=waiting))
        if len(choices) == 1:
            return choices[0]
        if not choices:
            raise EnrollmentError(
                _(
                    "No active wadah for the candidates' funding sources (%(sources)s). Add one "
                    "with `lindung enroll wadah` or on the Wadah page."
                )
                % {"sources": ", ".join(sorted(waiting)) or "-"}
            )
        raise EnrollmentError(
            _("Several wadah have candidates on this list: %(codes)s. Choose one with --wadah.")
            % {"codes": ", ".join(w.code for w in choices)}
        )

    def _batch(self, options: dict[str, Any]) -> None:
        out: Path = options["out"]
        suffix = out.suffix.lower().lstrip(".")
        if suffix not in ("xlsx", "csv"):
            raise EnrollmentError(_("The batch file is written as .xlsx or .csv."))
        approved = BeneficiaryList.objects.filter(number=options["list"]).first()
        if approved is None:
            raise EnrollmentError(_("There is no list %(number)s.") % {"number": options["list"]})
        sync_list(by=ACTOR, beneficiary_list=approved)
        kind = Kind.RENEWAL if options["renewal"] else Kind.NEW
        wadah = self._wadah_for(approved, options["wadah"], kind)
        start = parse_start(options["start"], approved.fiscal_year) if options["start"] else None
        batch = create_batch(
            by=ACTOR, beneficiary_list=approved, wadah=wadah, start=start, kind=kind
        )
        shutil.copyfile(batch_files(batch)[suffix], out)
        result = {
            "batch": batch.pk,
            "list": approved.number,
            "wadah": wadah.code,
            "workers": batch.workers,
            "problems": batch.problems,
            "file": str(out),
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        held = sum(1 for p in batch.problems if p["blocking"])
        self.stdout.write(
            _(
                "Batch %(batch)s (wadah %(wadah)s, from %(start)s, %(months)s months): %(workers)s "
                "workers in %(file)s; %(held)s held back, %(warned)s with a warning."
            )
            % {
                "batch": batch.pk,
                "wadah": wadah.code,
                "start": batch.start.strftime("%m-%Y"),
                "months": batch.months,
                "workers": format_number(batch.workers),
                "file": out,
                "held": format_number(held),
                "warned": format_number(len(batch.problems) - held),
            }
        )
        for problem in batch.problems[:20]:
            self.stdout.write(f"  {problem['code']}: {problem['name']} — {problem['message']}")

    def _response(self, options: dict[str, Any]) -> None:
        batch = RegistrationBatch.objects.filter(pk=options["batch"]).first()
        if batch is None:
            raise EnrollmentError(_("There is no batch %(id)s.") % {"id": options["batch"]})
        path: Path = options["file"]
        if not path.is_file():
            raise EnrollmentError(_("There is no file %(file)s.") % {"file": path})
        try:
            if options["dry_run"]:
                rows = answers.check_file(batch, path)
            else:
                answer = answers.receive(by=ACTOR, batch=batch, source=path, file_name=path.name)
                if answer.error:
                    raise EnrollmentError(answer.error)
                answer = answers.commit(by=ACTOR, answer=answer)
                rows = answers.checked_rows(answer)
        except ReadError as error:
            raise EnrollmentError(error.message) from error
        result = answers.result_json(batch, rows)
        if options["json"]:
            self.stdout.write(json.dumps(result, default=str))
        else:
            self.stdout.write(
                _(
                    "Batch %(batch)s: %(rows)s rows, %(registered)s registered, %(rejected)s "
                    "rejected, %(active)s already active, %(problems)s with a problem%(dry)s."
                )
                % {
                    "batch": batch.pk,
                    "rows": format_number(result["rows_total"]),
                    "registered": format_number(result["registered"]),
                    "rejected": format_number(result["rejected"]),
                    "active": format_number(result["already_active"]),
                    "problems": format_number(result["problems"]),
                    "dry": _(" (nothing saved: --dry-run)") if options["dry_run"] else "",
                }
            )
            for row in result["rows"]:
                if row["errors"]:
                    self.stdout.write(
                        _("  row %(row)s: %(codes)s")
                        % {"row": row["row"], "codes": ", ".join(row["errors"])}
                    )
        if result["problems"]:
            sys.exit(1)

    def _status(self, options: dict[str, Any]) -> None:
        rows = queries.status_summary(options["year"])
        totals = dict.fromkeys(State.values, 0)
        for row in rows:
            for state, n in row["states"].items():
                totals[state] += n
        if options["json"]:
            self.stdout.write(
                json.dumps({"fiscal_year": options["year"], "rows": rows, "totals": totals})
            )
            return
        header = ["TA", _("source"), "wadah", *State.values]
        self.stdout.write("  ".join(header))
        for row in rows:
            cells = [str(row["fiscal_year"]), row["source"], row["wadah"] or "-"]
            cells += [format_number(row["states"][s]) for s in State.values]
            self.stdout.write("  ".join(cells))

    def _wadah(self, options: dict[str, Any]) -> None:
        data = {
            "code": options["code"],
            "name": options["name"],
            "source": options["source"].lower(),
            "type_code": options["type"],
            "npw": options["npw"],
            "branch": options["branch"],
        }
        existing = Wadah.objects.filter(code=options["code"]).first()
        wadah = save_wadah(by=ACTOR, wadah=existing, data=data)
        self.stdout.write(_("Wadah %(code)s saved.") % {"code": wadah.code})
