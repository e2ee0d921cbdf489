import json
import logging
import os
import signal
import subprocess
import sys
import threading
from argparse import ArgumentParser
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

# Path only, never the query string: searches by NIK or name must not reach the log.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def gunicorn_command(*, host: str, port: int, workers: int) -> list[str]:
    """The web server's command line. Its access and error logs pass through the same filter
    as Django's (lindung.logsafe: NIK-like numbers masked, query strings cut)."""
    return [
        sys.executable, "-m", "gunicorn", "lindung.wsgi:application",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--timeout", "120",
        "--access-logfile", "-",
        "--access-logformat", ACCESS_LOG_FORMAT,
        "--logger-class", "lindung.logsafe.GunicornLogger",
    ]  # fmt: skip


PURGE_FIRST = 60.0  # seconds after start-up, out of its way
PURGE_EVERY = 24 * 60 * 60.0

logger = logging.getLogger(__name__)


def run_daily(
    job: Callable[[], object],
    *,
    stop: threading.Event,
    first: float = PURGE_FIRST,
    every: float = PURGE_EVERY,
) -> None:
    """Call `job` `first` seconds from now, then every `every` seconds, until `stop` is set (it
    also ends the wait at once). A failed run is logged and the next one comes as planned."""
    wait = first
    while not stop.wait(wait):
        try:
            job()
        except Exception:
            logger.exception("scheduled job failed")
        wait = every


def purge_uploads_now() -> None:
    """`lindung purge`, from the serve process's scheduler thread (counts only in the log)."""
    from lindung.registry.retention import purge_uploads

    try:
        logger.info("purge: %s", json.dumps(purge_uploads().as_json()))
    finally:
        connection.close()  # this thread's own connection


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
        web = gunicorn_command(
            host=options["host"], port=options["port"], workers=options["workers"]
        )
        children = [subprocess.Popen(web)]  # noqa: S603 - our own interpreter and fixed args
        if not options["no_worker"]:
            worker = [python, "-m", "lindung.cli", "db_worker", "--queue-name", "*"]
            children.append(subprocess.Popen(worker))  # noqa: S603
        self.stdout.write(f"Lindung: http://{options['host']}:{options['port']}/  (Ctrl+C to stop)")
        # Uploaded lists past their retention are removed once a day (UU PDP), beside the server.
        stopping = threading.Event()
        daily = threading.Thread(
            target=run_daily, args=(purge_uploads_now,), kwargs={"stop": stopping}, daemon=True
        )
        daily.start()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()
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
        daily.join(timeout=60)  # a purge under way finishes its transaction
        sys.exit(code if code > 0 else 0)
