"""Time the lampiran files of an approved list of ~75.000 workers, as the approval's job makes them.

    uv run python bench/lampiran_pdf.py                  # SQLite, 1.000.000 workers in the registry
    uv run python bench/lampiran_pdf.py --rows 300000    # a smaller registry (fewer selected)

A fresh SQLite database: `lindung setup`, the synthetic list of `bench/registry_import.py`
imported with `lindung import`, a targeting run for 2027 (APBD Rp12 M + DBHCHT Rp3 M) approved as
the year's list (about 74.000 workers). Then, in-process, the two writers the background job runs
(`targeting.lampiran`): the XLSX and the PDF of the whole list (NIK shown), grouped by kecamatan
and desa with subtotals, the heading block and the signature.
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import APPROVE  # noqa: E402
from registry_import import _run, _synthetic  # noqa: E402

PAGE = b"/Type /Page\n"  # one per page in the PDF


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000, help="workers in the registry")
    parser.add_argument("--write", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        _write()
        return
    print(f"lampiran files · {args.rows:,} workers · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        path = _synthetic(args.rows, "csv", var)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{var / 'lampiran.sqlite3'}",
               "LINDUNG_VAR": str(var)}  # fmt: skip
        _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
        seconds, _peak = _run(env, "import", str(path), "--source", "BENCH")
        print(f"{'import (setup step)':<34} {seconds:>8.1f} s")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", APPROVE], env=env, check=True)  # noqa: S603
        print(f"{'target + approve (setup step)':<34} {time.perf_counter() - start:>8.1f} s")
        subprocess.run([sys.executable, __file__, "--write"], env=env, check=True)  # noqa: S603


def _write() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    import reportlab

    from lindung.targeting.lampiran import write_lampiran_pdf, write_lampiran_xlsx
    from lindung.targeting.models import Beneficiary, BeneficiaryList, ListChange

    approved = BeneficiaryList.objects.select_related("scenario").get()
    entries = Beneficiary.objects.filter(beneficiary_list=approved)
    changes = ListChange.objects.filter(beneficiary_list=approved)
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("xlsx", "pdf"):
            path = Path(folder) / f"lampiran.{kind}"
            started = time.perf_counter()
            if kind == "xlsx":
                rows = write_lampiran_xlsx(approved, entries, changes, path, show_nik=True)
            else:
                rows = write_lampiran_pdf(approved, entries, path, show_nik=True)
            seconds = time.perf_counter() - started
            size = path.stat().st_size / 2**20
            pages = f"  {path.read_bytes().count(PAGE):,} pages"
            print(f"lampiran {kind.upper():<5} {rows:>9,} rows  {seconds:>6.1f} s  {size:.1f} MiB"
                  f"{pages if kind == 'pdf' else ''}")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS {peak:,.0f} MiB · reportlab {reportlab.Version}")


if __name__ == "__main__":
    main()
