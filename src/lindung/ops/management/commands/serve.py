import os
import signal
import subprocess
import sys
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Path only, never the query string: searches by NIK or name must not reach the log.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class Command(BaseCommand):
    help = "Serve Lindung with gunicorn and run the background task worker beside it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("LINDUNG_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
        parser.add_argument("--no-worker", action="store_true", help="no background task worker")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        python = sys.executable
        web = [
            python, "-m", "gunicorn", "lindung.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]),
            "--timeout", "120",
            "--access-logfile", "-",
            "--access-logformat", ACCESS_LOG_FORMAT,
        ]  # fmt: skip
        children = [subprocess.Popen(web)]  # noqa: S603 - our own interpreter and fixed args
        if not options["no_worker"]:
            worker = [python, "-m", "lindung.cli", "db_worker", "--queue-name", "*"]
            children.append(subprocess.Popen(worker))  # noqa: S603
        self.stdout.write(f"Lindung: http://{options['host']}:{options['port']}/  (Ctrl+C to stop)")

        def stop(signum: int, frame: FrameType | None) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # When one process ends (crash or signal), stop the other and exit with its code.
        code = 0
        while children:
            pid, status = os.wait()
            for child in [c for c in children if c.pid == pid]:
                children.remove(child)
                code = code or os.waitstatus_to_exitcode(status)
                stop(signal.SIGTERM, None)
        sys.exit(code if code > 0 else 0)
