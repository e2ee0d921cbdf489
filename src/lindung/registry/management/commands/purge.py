"""`lindung purge [--dry-run] [--json]`: remove uploaded worker lists past their retention."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lindung.formats import format_number
from lindung.registry.retention import purge_uploads, retention_days


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Remove uploaded worker lists and their checking results whose retention has passed "
            "(LINDUNG_UPLOAD_RETENTION_DAYS), and upload folders without an import."
        )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help=_("show what would be removed, remove nothing")
        )
        parser.add_argument("--json", action="store_true", help=_("print the outcome as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_uploads(dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(purged.as_json()))
            return
        text = (
            _(
                "Would remove %(folders)s import folders and %(orphans)s orphans "
                "(%(mb)s MB); retention %(days)s days."
            )
            if purged.dry_run
            else _(
                "Removed %(folders)s import folders and %(orphans)s orphans "
                "(%(mb)s MB); retention %(days)s days."
            )
        )
        self.stdout.write(
            text
            % {
                "folders": format_number(purged.removed_folders),
                "orphans": format_number(purged.orphans),
                "mb": format_number(purged.bytes / 1_000_000, 1),
                "days": retention_days(),
            }
        )
        if purged.discarded:
            discarded = (
                _("Would discard %(count)s imports that were never committed or discarded.")
                if purged.dry_run
                else _("Discarded %(count)s imports that were never committed or discarded.")
            )
            self.stdout.write(discarded % {"count": format_number(len(purged.discarded))})
