"""Time `lindung target` over a registry of 1.500.000 synthetic workers.

    uv run python bench/targeting_run.py                        # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/targeting_run.py

A fresh database per run (a scratch database on the PostgreSQL server), `lindung setup`, a
synthetic list of Lombok Timur imported with `lindung import` (made once with `lindung synth`
and kept in $TMPDIR/lindung-bench-data), a policy version with a minimum and a maximum quota for
every kecamatan, then `lindung target --year 2027` with an APBD and a DBHCHT budget, timed as
an operator runs it (its own process, start-up included). The eligibility and priority of every
worker, the exact optimizer, the selection written in bulk and every worker's reason are all
inside the figure.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from regions_load import _scratch_database  # noqa: E402
from registry_import import DATA, _run, _synthetic  # noqa: E402

POLICY = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()
from lindung.regions.models import Region
from lindung.rules.policy import Policy, deployment
from lindung.rules.services import save_policy_version
data = Policy.default(deployment()).to_data()
kecamatan = Region.objects.filter(parent="52.03").values_list("code", flat=True)
data["quotas"] = [{"area": code, "minimum": 500, "maximum": 8000} for code in kecamatan]
save_policy_version(by="bench", data=data, name="bench quotas", note="")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_500_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of `lindung target`")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    print(f"lindung target · {args.rows:,} workers · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        path = _synthetic(args.rows, "csv", var)
        _bench("sqlite", f"sqlite:///{var / 'target.sqlite3'}", var, path, args.repeat)
        server = os.environ.get("DATABASE_URL", "")
        if server.startswith(("postgres://", "postgresql://")):
            with _scratch_database(server) as url:
                _bench("postgresql", url, var, path, args.repeat)


def _bench(vendor: str, url: str, var: Path, path: Path, repeat: int) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var)}
    _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
    seconds, _peak = _run(env, "import", str(path), "--source", "BENCH")
    print(f"{vendor:<11} import (setup step)                {seconds:>8.1f} s")
    import subprocess

    subprocess.run([sys.executable, "-c", POLICY], env=env, check=True)  # noqa: S603
    budgets = ["--budget", "apbd=12000000000", "--budget", "dbhcht=3000000000"]
    out = var / "target.json"
    command = [sys.executable, "-m", "django", "target", "--year", "2027", *budgets, "--json"]
    times = []
    for _ in range(repeat):  # each run saves one more scenario; the machine may be busy
        start = time.perf_counter()
        with out.open("w") as stream:
            subprocess.run(  # noqa: S603
                [*command, "--settings=lindung.settings"], env=env, stdout=stream, check=True
            )
        times.append(time.perf_counter() - start)
    result = json.loads(out.read_text())
    spread = f" (median {statistics.median(times):.1f}, of {repeat})" if repeat > 1 else ""
    print(f"{vendor:<11} lindung target (2 sources, 21 quotas) {min(times):>8.1f} s{spread}  "
          f"{result['selected']:,} selected, unspent Rp{result['unspent']:,}")  # fmt: skip


if __name__ == "__main__":
    main()
