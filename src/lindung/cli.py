"""The `lindung` command: Django's management commands under one name.

lindung setup --kabupaten 52.03     migrate, load wilayah, configure, create the first admin
lindung serve                       the web server and the background task worker
lindung demo                        setup + demo content + serve
lindung createuser NAME --role ...  a user account
lindung regions load                the Kemendagri wilayah tree (also load-boundaries, ...)
lindung help                        every command
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help"}:
        sys.stdout.write(__doc__ or "")
        return
    execute_from_command_line(["lindung", *args])


if __name__ == "__main__":
    main()
