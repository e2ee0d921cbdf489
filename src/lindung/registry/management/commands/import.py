"""`lindung import PATH --source TEXT [--sheet NAME] [--dry-run] [--json] [--report OUT.xlsx]`."""

import getpass
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.registry.imports import ImportFailed, import_file
from lindung.ui.templatetags.lindung_format import format_number


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Import a worker list (XLSX, XLS, ODS or CSV) into the registry.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, metavar="PATH")
        parser.add_argument(
            "--source", required=True, metavar="TEXT", help=_("where the list comes from")
        )
        parser.add_argument("--sheet", metavar="NAME", help=_("the sheet to read"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check and count, write nothing")
        )
        parser.add_argument("--json", action="store_true", help=_("print the outcome as JSON"))
        parser.add_argument(
            "--report", type=Path, metavar="OUT.xlsx", help=_("write the error report here")
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help=_("record the import as done by this user")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        by: Any = f"cli:{getpass.getuser()}"
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)s.") % {"name": options["user"]})
            by = user
        try:
            outcome = import_file(
                by=by,
                path=path,
                source=options["source"],
                sheet=options["sheet"],
                dry_run=options["dry_run"],
                report=options["report"],
            )
        except ImportFailed as error:
            if options["json"]:
                self.stdout.write(json.dumps({"error": error.code, "message": error.message}))
            raise CommandError(f"{error.code}: {error.message}") from error
        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
            return
        summary = outcome.summary()
        self.stdout.write(
            _(
                "%(total)s rows: %(new)s new, %(updated)s updated, %(unchanged)s unchanged, "
                "%(rejected)s rejected; %(warnings)s with warnings; %(skipped)s skipped."
            )
            % {
                "total": format_number(summary["rows_total"]),
                "new": format_number(summary["new"]),
                "updated": format_number(summary["updated"]),
                "unchanged": format_number(summary["unchanged"]),
                "rejected": format_number(summary["rejected"]),
                "warnings": format_number(summary["warnings"]),
                "skipped": format_number(summary["rows_skipped"]),
            }
        )
        for code, count in outcome.code_counts().items():
            self.stdout.write(f"  {code}: {format_number(count)}")
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(_("Batch %(batch)s") % {"batch": summary["batch"]})
        if options["report"]:
            self.stdout.write(_("Report: %(path)s") % {"path": options["report"]})
