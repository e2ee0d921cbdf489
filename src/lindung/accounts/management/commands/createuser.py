import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lindung.accounts.services import AccountError, create_user
from lindung.roles import Role


class Command(BaseCommand):
    help = (
        "Create a user account, with the same rules as the Users page. A generated password is"
        " printed once; the user must change it at first login."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=f"one of: {', '.join(Role.values)}")
        parser.add_argument(
            "--wilayah",
            metavar="CODE",
            help="region code: a kecamatan (52.03.07) for operator_kecamatan, a desa"
            " (52.03.07.2001) for operator_desa; optional regency (52.03) for other roles",
        )
        parser.add_argument("--full-name", default="", metavar="TEXT")
        parser.add_argument("--email", default="", metavar="E")
        parser.add_argument("--phone", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input instead of"
            " generating one (it is then not printed, and need not be changed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if options["password_stdin"]:
            password = (options.get("stdin") or sys.stdin).readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin: standard input holds no password")
        try:
            user, password = create_user(
                by=None,
                username=options["username"],
                role=options["role"],
                region_code=options["wilayah"],
                full_name=options["full_name"],
                email=options["email"],
                phone=options["phone"],
                password=password,
            )
        except AccountError as e:
            raise CommandError(e.message) from e
        where = f", {user.region.display_name} ({user.region.code})" if user.region else ""
        self.stdout.write(f"Created {user.username}: {user.get_role_display()}{where}")
        if not options["password_stdin"]:
            self.stdout.write(f"Password (shown once, to be changed at first login): {password}")
