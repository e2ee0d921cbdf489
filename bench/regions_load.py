"""Time `lindung regions load` into a fresh database: the first run, then one that changes nothing.

    uv run python bench/regions_load.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/regions_load.py

SQLite always (a database in a temporary folder); PostgreSQL as well when DATABASE_URL names a
server: the benchmark creates a scratch database there and drops it afterwards (the user needs
CREATEDB), so the database in the URL is never touched.

Every step is its own `python -m django …` process, as an operator runs it, and its figure is the
wall-clock time, start-up included; the "start-up" row (`regions --help`) shows how much of each
figure that is. When the shared reference data is present (settings.LINDUNG_SHARED_DATA), it also
times `regions load-boundaries` with indonesia_kecamatan.geojson (7,284 features, 7.4 MB). One of
its rings does not close (features[6318], 81.05.16), so the loader refuses the file as it is; the
benchmark loads a copy with that ring closed.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LINDUNG_SHARED_DATA", ROOT.parent / "shared" / "data" / "wilayah"))
KECAMATAN = SHARED / "indonesia_kecamatan.geojson"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        kecamatan = _closed_copy(KECAMATAN, var) if KECAMATAN.exists() else None
        print(f"lindung regions load · Python {platform.python_version()} · {platform.machine()}")
        print(f"{'database':<11} {'step':<50} {'seconds':>8} {'minus start-up':>15}")
        _bench("sqlite", f"sqlite:///{var / 'bench.sqlite3'}", var, kecamatan)
        server = os.environ.get("DATABASE_URL", "")
        if server.startswith(("postgres://", "postgresql://")):
            with _scratch_database(server) as url:
                _bench("postgresql", url, var, kecamatan)


def _bench(vendor: str, url: str, var: Path, kecamatan: Path | None) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var)}
    _django(env, "migrate", "-v", "0")
    steps = [
        ("start-up (regions --help)", ["regions", "--help"]),
        ("regions load (first run: 91,599 created)", ["regions", "load"]),
        ("regions load (second run: no change)", ["regions", "load"]),
    ]
    if kecamatan is not None:
        load = ["regions", "load-boundaries", str(kecamatan)]
        steps += [
            ("load-boundaries indonesia_kecamatan (first run)", load),
            ("load-boundaries indonesia_kecamatan (second run)", load),
        ]
    startup = 0.0
    for label, args in steps:
        start = time.perf_counter()
        _django(env, *args)
        seconds = time.perf_counter() - start
        startup = startup or seconds  # the first step
        print(f"{vendor:<11} {label:<50} {seconds:>8.2f} {seconds - startup:>15.2f}")


def _django(env: dict[str, str], *args: str) -> None:
    """Run a management command; stop the benchmark with its message if it fails."""
    command = [sys.executable, "-m", "django", *args, "--settings=lindung.settings"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")


def _closed_copy(path: Path, folder: Path) -> Path:
    """A copy of a GeoJSON file whose rings all end where they start."""
    data: dict[str, Any] = json.loads(path.read_text())
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]]
        if geometry["type"] == "MultiPolygon":
            polygons = geometry["coordinates"]
        for ring in (ring for polygon in polygons for ring in polygon):
            if ring[0] != ring[-1]:
                ring.append(ring[0])
    copy = folder / path.name
    copy.write_text(json.dumps(data, separators=(",", ":")))
    return copy


@contextmanager
def _scratch_database(url: str) -> Iterator[str]:
    """A new, empty database on the server of `url`; dropped on exit."""
    parts = urlsplit(url)
    name = f"lindung_bench_{uuid.uuid4().hex[:8]}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            connection.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
