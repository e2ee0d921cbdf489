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
from django.utils.translation import gettext as _

from lindung.ops.supervise import Worker, recover_at_start, sweep_stale_imports

# Path only, never the query string: searches by NIK or name must not reach the log.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def gunicorn_command(*, host: str, port: int, workers: int, threads: int = 1) -> list[str]:
    """The web server's command line. Its access and error logs pass through the same filter
    as Django's (lindung.logsafe: NIK-like numbers masked, query strings cut).

    With `threads` above 1 the workers are threaded (gthread): useful where requests wait on a
    slow network without a buffering proxy in front; for Lindung's CPU-bound pages on 2 cores
    they raised no throughput and made the slowest requests slower (bench/load.py)."""
    return [
        sys.executable, "-m", "gunicorn", "lindung.wsgi:application",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--threads", str(threads),
        "--timeout", "120",
        "--no-control-socket",  # unused; its default is one fixed path two servers would share
        "--access-logfile", "-",
        "--access-logformat", ACCESS_LOG_FORMAT,
        "--logger-class", "lindung.logsafe.GunicornLogger",
    ]  # fmt: skip


# Web server processes and threads in each (WEB_WORKERS and WEB_THREADS override them), measured
# on 2 cores with bench/load.py: see docs/benchmarks.md.
WEB_WORKERS = "3"
WEB_THREADS = "1"

PURGE_FIRST = 60.0  # seconds after start-up, out of its way
PURGE_EVERY = 24 * 60 * 60.0
BILLING_EVERY = 60 * 60.0  # the billing sweep is idempotent: hourly catches a new day soon
STALE_SWEEP = 60.0  # seconds between two looks for imports whose process is gone

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


def billing_daily_now() -> None:
    """Bills past due and lapsed participations (idempotent: run hourly so that a new day's
    changes come soon after midnight); counts only in the log."""
    from lindung.billing.services import daily

    try:
        logger.info("billing daily: %s", json.dumps(daily()))
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Serve Lindung with gunicorn and run the background task worker beside it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("LINDUNG_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_WORKERS", WEB_WORKERS))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("WEB_THREADS", WEB_THREADS))
        )
        parser.add_argument("--no-worker", action="store_true", help="no background task worker")
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="serve the static files collected before (tests, restarts)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        python = sys.executable
        web = gunicorn_command(
            host=options["host"], port=options["port"], workers=options["workers"],
            threads=options["threads"],
        )  # fmt: skip
        children = [subprocess.Popen(web)]  # noqa: S603 - our own interpreter and fixed args
        # Jobs and imports a previous run left running are failed first (a retry resumes them).
        try:
            recover_at_start()
        except Exception:
            logger.exception("recovery at start-up failed")
        worker: Worker | None = None
        if not options["no_worker"]:
            worker = Worker(python=python)
            children.append(worker.start())
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(_("Lindung: %(url)s  (Ctrl+C to stop)") % {"url": url})
        # Uploaded lists past their retention are removed once a day (UU PDP), beside the server.
        stopping = threading.Event()
        daily = threading.Thread(
            target=run_daily, args=(purge_uploads_now,), kwargs={"stop": stopping}, daemon=True
        )
        daily.start()
        # Imports whose process is gone (a killed `lindung import`…) are failed within a minute.
        sweep = threading.Thread(
            target=run_daily,
            args=(sweep_stale_imports,),
            kwargs={"stop": stopping, "first": STALE_SWEEP, "every": STALE_SWEEP},
            daemon=True,
        )
        sweep.start()
        # Bills past due and lapses: first two minutes after start-up, then every hour.
        billing = threading.Thread(
            target=run_daily,
            args=(billing_daily_now,),
            kwargs={"stop": stopping, "first": 120.0, "every": BILLING_EVERY},
            daemon=True,
        )
        billing.start()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # A worker that dies (a job killed it) is restarted and the web server goes on; when the
        # web server ends (crash or signal), stop the worker and exit with its code.
        code = 0
        while children:
            pid, status = os.wait()
            for child in [c for c in children if c.pid == pid]:
                children.remove(child)
                if worker is not None and child is worker.process and not stopping.is_set():
                    restarted = worker.died(os.waitstatus_to_exitcode(status), stopping)
                    if restarted is not None:
                        children.append(restarted)
                        if stopping.is_set():
                            restarted.terminate()
                    continue
                code = code or os.waitstatus_to_exitcode(status)
                stop(signal.SIGTERM, None)
        daily.join(timeout=60)  # a purge under way finishes its transaction
        billing.join(timeout=60)  # a lapse run under way finishes its transaction
        sys.exit(code if code > 0 else 0)
