from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.accounts.services import AccountError, create_user
from lindung.regions.services import DeploymentError, configure_deployment
from lindung.roles import Role


class Command(BaseCommand):
    help = (
        "Migrate the database, load the wilayah tree, set the served kabupaten/kota,"
        " create the first admin."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--kabupaten",
            action="append",
            help="Kemendagri code of a kabupaten/kota to serve (repeatable; default "
            f"{settings.LINDUNG_DEFAULT_KABUPATEN})",
        )
        parser.add_argument("--admin", default="admin", help="username of the first admin")
        parser.add_argument("--skip-regions", action="store_true", help="do not (re)load wilayah")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        self.stdout.write(_("Database ready."))
        if not options["skip_regions"]:
            call_command("regions", "load", stdout=self.stdout, stderr=self.stderr)
        codes = options["kabupaten"] or [settings.LINDUNG_DEFAULT_KABUPATEN]
        codes = [c.strip() for code in codes for c in code.split(",") if c.strip()]
        try:
            deployment = configure_deployment(kabupaten=codes, by=None)
        except DeploymentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("This installation serves: %(name)s") % {"name": deployment.name})
        self._first_admin(options["admin"])

    def _first_admin(self, username: str) -> None:
        if User.objects.filter(role=Role.ADMIN, is_active=True).exists():
            self.stdout.write(_("An admin account exists already; no new one was created."))
            return
        try:
            _user, password = create_user(
                by=None, username=username, full_name="Administrator", role=Role.ADMIN
            )
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(_("First admin created.")))
        self.stdout.write(_("  username: %(username)s") % {"username": username})
        self.stdout.write(_("  password: %(password)s") % {"password": password})
        self.stdout.write(
            _("This password is shown only now. You will be asked to change it at first login.")
        )
