"""`lindung import PATH --source TEXT [--sheet NAME] [--dry-run] [--json] [--report OUT.xlsx]`.

The batch this command creates is marked failed however the command ends before its commit:
an error, Ctrl+C or SIGTERM (turned into an exit), or any other exit (atexit). A SIGKILL cannot be
caught: the batch's process is then gone, and the stale check finds it (registry/recovery.py).
With `-v 2` each step's progress goes to stderr.
"""

import atexit
import getpass
import json
import logging
import signal
import sys
import threading
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.audit.actors import Actor
from lindung.formats import format_number
from lindung.registry import recovery
from lindung.registry.imports import ImportFailed, import_file

logger = logging.getLogger(__name__)


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
        by: Actor = f"cli:{getpass.getuser()}"
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)s.") % {"name": options["user"]})
            by = user
        try:
            with _failing_own_batch_on_exit():
                outcome = import_file(
                    by=by,
                    path=path,
                    source=options["source"],
                    sheet=options["sheet"],
                    dry_run=options["dry_run"],
                    report=options["report"],
                    progress=self._progress if options["verbosity"] >= 2 else None,
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

    def _progress(self, step: str, done: int, total: int) -> None:
        self.stderr.write(f"{step} {format_number(done)}/{format_number(total)}")
        self.stderr.flush()


def _fail_own_batch() -> None:
    """The batch this process was working on, if still unfinished → failed (audited)."""
    try:
        recovery.fail_imports_of(runner_prefix=recovery.runner_id())
    except Exception:  # the database is gone too: the stale check finds the batch later
        logger.exception("could not mark this process's import failed")


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)  # unwinds: the commit's transaction rolls back, the batch is failed


@contextmanager
def _failing_own_batch_on_exit() -> Iterator[None]:
    signals = (signal.SIGTERM, signal.SIGINT)
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, _exit_on_signal) for sig in signals} if main else {}
    atexit.register(_fail_own_batch)
    try:
        yield
    finally:
        try:
            _fail_own_batch()
        finally:
            atexit.unregister(_fail_own_batch)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
