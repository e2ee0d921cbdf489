"""Imports killed with SIGKILL half-way, by stage (check, commit), from the command line and in
`lindung serve`'s background worker: nothing is half-written, the batch is found failed, a retry
or a re-run succeeds, no batch stays stuck and no upload folder is left without its batch.

The processes run against their own database, the engine of the suite's DATABASE_URL: a SQLite
file, or a PostgreSQL database created from a template and dropped. It is set up once per module
(`lindung setup`) and copied for each command-line test; the two worker tests share one copy and
one `lindung serve` (each follows its own batch).
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

ROWS = 20_000  # enough for a commit that lasts long enough to be killed half-way
STALE_SECONDS = 2
SUITE_URL = os.environ.get("DATABASE_URL", "")
POSTGRES = SUITE_URL.startswith("postgres")

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


def _admin_sql(*statements: str) -> None:
    import psycopg

    config = dj_database_url.parse(SUITE_URL)
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        for statement in statements:
            admin.execute(statement)


def _pg_url(name: str) -> str:
    return SUITE_URL.rsplit("/", 1)[0] + "/" + name


@dataclass
class Live:
    url: str
    var: Path
    file: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "LINDUNG_TASKS"}
        env.update(
            DATABASE_URL=self.url,
            LINDUNG_VAR=str(self.var),
            LINDUNG_IMPORT_STALE_SECONDS=str(STALE_SECONDS),
            DJANGO_SETTINGS_MODULE="lindung.settings",
        )
        return env

    def lindung(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "lindung.cli", *args]
        return subprocess.Popen(command, env=self.env, text=True, **kwargs)

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "lindung.cli", *args],
            env=self.env,
            text=True,
            capture_output=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def python(self, code: str) -> str:
        """Django code in a subprocess of this database (services, as the pages call them)."""
        lines = self.run("shell", "-c", code).strip().splitlines()
        return lines[-1] if lines else ""  # after the shell's own notice

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if POSTGRES:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return list(conn.execute(sql).fetchall())
        conn = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def batches(self) -> list[tuple[str, str, str]]:
        found = self.rows("SELECT id, status, interrupted_in FROM registry_importbatch")
        return [(str(uuid.UUID(str(i))), s, n) for i, s, n in found]

    def workers(self) -> int:
        return int(self.rows("SELECT COUNT(*) FROM registry_worker")[0][0])

    def wait_for(self, what: Callable[[], Any], timeout: float = 60) -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = what()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def assert_settled(self) -> None:
        """No batch stuck in a running state; every upload folder belongs to a batch."""
        assert [b for b in self.batches() if b[1] in ("queued", "checking", "committing")] == []
        folders = {p.name for p in (self.var / "imports").iterdir()}
        assert folders <= {b[0] for b in self.batches()}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    base = tmp_path_factory.mktemp("kill")
    name = f"lindung_kill_{os.getpid()}"
    if POSTGRES:
        _admin_sql(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
        url = _pg_url(name)
    else:
        url = f"sqlite:///{base / 'template.sqlite3'}"
    live = Live(url=url, var=base / "var", file=base / "workers.csv")
    live.run("setup", "--kabupaten", "52.03")
    live.run("synth", "--rows", str(ROWS), "--out", str(live.file))
    yield url, live.file
    if POSTGRES:
        _admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def _copy(template: tuple[str, Path], folder: Path) -> Iterator[Live]:
    """A copy of the template database with its own var folder."""
    url, file = template
    name = f"lindung_kill_{uuid.uuid4().hex[:12]}"
    if POSTGRES:
        _admin_sql(f"CREATE DATABASE {name} TEMPLATE {url.rsplit('/', 1)[1]}")
        copy = _pg_url(name)
    else:
        target = folder / "db.sqlite3"
        shutil.copyfile(url.removeprefix("sqlite:///"), target)
        copy = f"sqlite:///{target}"
    (folder / "var" / "imports").mkdir(parents=True)
    try:
        yield Live(url=copy, var=folder / "var", file=file)
    finally:
        if POSTGRES:
            _admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def live(template: tuple[str, Path], tmp_path: Path) -> Iterator[Live]:
    with _copy(template, tmp_path) as copy:
        yield copy


def _kill(process: subprocess.Popen[str]) -> None:
    assert process.poll() is None, "the process ended before the stage was reached"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


def _stale_check(live: Live) -> list[str]:
    """The sweep of `lindung serve`: a batch whose process on this host is gone is stale at once."""
    out = live.python(
        "from lindung.registry.recovery import fail_stale_imports; print(fail_stale_imports())"
    )
    return [x.strip(" '") for x in out.strip("[]").split(",") if x.strip()]


def test_it_leaves_nothing_of_a_cli_import_killed_while_checking_and_runs_again(
    live: Live,
) -> None:
    process = live.lindung(
        "import", str(live.file), "--source", "DTKS", "-v", "2", stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    assert process.stderr.readline().startswith("read")  # the check has begun
    _kill(process)
    assert live.workers() == 0
    assert live.batches() == []  # the command line creates its batch once the file is checked
    live.assert_settled()

    live.run("import", str(live.file), "--source", "DTKS")
    assert live.workers() == ROWS
    assert [b[1] for b in live.batches()] == ["committed"]
    live.assert_settled()


def test_it_fails_a_cli_import_killed_while_committing_and_runs_again(live: Live) -> None:
    process = live.lindung("import", str(live.file), "--source", "DTKS")
    live.wait_for(lambda: [b for b in live.batches() if b[1] == "committing"])
    _kill(process)
    assert live.workers() == 0  # one transaction: nothing of it was written
    [(batch_id, status, _)] = live.batches()
    assert status == "committing"  # a SIGKILL cannot be caught…

    assert _stale_check(live) == [batch_id]  # …its process is gone: found stale
    assert live.batches() == [(batch_id, "failed", "committing")]
    assert live.rows("SELECT action FROM audit_event WHERE action = 'import_failed'")

    live.run("import", str(live.file), "--source", "DTKS")
    assert live.workers() == ROWS
    assert sorted(b[1] for b in live.batches()) == ["committed", "failed"]
    live.assert_settled()


def test_it_fails_a_cli_import_stopped_with_sigterm_at_once(live: Live) -> None:
    process = live.lindung("import", str(live.file), "--source", "DTKS")
    live.wait_for(lambda: [b for b in live.batches() if b[1] == "committing"])
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) != 0
    assert live.workers() == 0
    [(_batch_id, status, interrupted)] = live.batches()
    assert (status, interrupted) == ("failed", "committing")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(
    template: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Live, str]]:
    """One `lindung serve` (web server and task worker) on a copy of its own, for the module."""
    with _copy(template, tmp_path_factory.mktemp("served")) as live:
        port = _free_port()
        server = live.lindung(
            "serve", "--port", str(port), "--workers", "1", "--no-collectstatic",
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        live.wait_for(lambda: _answers(base), timeout=60)
        yield live, base
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _answers(base: str) -> bool:
    """The web server answers: the home page sends an anonymous visitor to the login page."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"{base}/", timeout=30)
    except urllib.error.HTTPError as response:
        return response.code == 302
    except (urllib.error.URLError, OSError):
        return False
    return False


def _upload(live: Live) -> str:
    return live.python(
        "from lindung.registry.imports import start_import\n"
        f"with open({str(live.file)!r}, 'rb') as f:\n"
        "    print(start_import(by=None, upload=f, file_name='w.csv', source='DTKS').pk)"
    )


def _status(live: Live, batch_id: str) -> tuple[str, str]:
    """(status, interrupted_in) of one batch."""
    return next((s, n) for i, s, n in live.batches() if i == batch_id)


def _runner_pid(live: Live, batch_id: str, status: str) -> int:
    def running() -> int | None:
        found = live.rows(
            f"SELECT id, runner FROM registry_importbatch WHERE status = '{status}'"  # noqa: S608
            " AND runner <> ''"
        )
        runners = [r for i, r in found if str(uuid.UUID(str(i))) == batch_id]
        return int(runners[0].split(":")[1]) if runners else None

    pid: int = live.wait_for(running)
    return pid


def _retry(live: Live, batch_id: str) -> None:
    live.python(
        "from lindung.registry.models import ImportBatch\n"
        "from lindung.registry.recovery import retry_import\n"
        f"retry_import(by=None, batch=ImportBatch.objects.get(pk={batch_id!r}))"
    )


def _jobs(live: Live) -> list[str]:
    return [r[0] for r in live.rows("SELECT status FROM django_tasks_database_dbtaskresult")]


def test_serve_goes_on_when_its_worker_is_killed_while_checking(
    served: tuple[Live, str],
) -> None:
    live, base = served
    workers = live.workers()
    batch_id = _upload(live)
    os.kill(_runner_pid(live, batch_id, "checking"), signal.SIGKILL)

    live.wait_for(lambda: _status(live, batch_id) == ("failed", "checking"))
    assert "FAILED" in _jobs(live)
    assert _answers(base)  # the web server did not go down with the worker

    _retry(live, batch_id)  # the restarted worker checks it again
    live.wait_for(lambda: _status(live, batch_id)[0] == "ready")
    assert live.workers() == workers
    live.assert_settled()


def test_serve_goes_on_when_its_worker_is_killed_while_committing(
    served: tuple[Live, str],
) -> None:
    live, _base = served
    workers = live.workers()
    batch_id = _upload(live)
    live.wait_for(lambda: _status(live, batch_id)[0] == "ready")
    live.python(
        "from lindung.registry.models import ImportBatch\n"
        "from lindung.registry.imports import commit_import\n"
        f"commit_import(by=None, batch=ImportBatch.objects.get(pk={batch_id!r}))"
    )
    os.kill(_runner_pid(live, batch_id, "committing"), signal.SIGKILL)

    live.wait_for(lambda: _status(live, batch_id) == ("failed", "committing"))
    assert live.workers() == workers  # nothing of the commit was written

    _retry(live, batch_id)  # the commit is queued again, the check is kept
    live.wait_for(lambda: _status(live, batch_id)[0] == "committed")
    assert live.workers() == ROWS  # the file's workers, new or already committed before
    live.assert_settled()
