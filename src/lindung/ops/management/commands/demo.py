from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.formats import format_number, format_rupiah
from lindung.ops.demo import (
    DEMO_KABUPATEN,
    DemoAccount,
    bill_demo_list,
    demo_password,
    enroll_demo_list,
    ensure_demo_accounts,
    ensure_demo_duplicates,
    shared_file,
)

DEMO_SOURCE = "DTKS (sintetis)"


class Command(BaseCommand):
    help = "Set up Lombok Timur with demo accounts and reference data, then serve the app."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="prepare only, do not serve")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=50_000,
            metavar="N",
            help="synthetic workers in the demo registry (default 50000; 0 for none)",
        )
        parser.add_argument(
            "--province",
            metavar="CODE",
            help="a whole province instead (e.g. 52, Nusa Tenggara Barat): every kabupaten/kota, "
            "each with its own policy and list, their admins and a provincial officer",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("setup", kabupaten=[DEMO_KABUPATEN], stdout=self.stdout, stderr=self.stderr)
        extra: list[DemoAccount] = []
        if options["province"]:
            extra = self._province(options["province"], options["workers"])
        else:
            self._reference_data()
            if options["workers"] > 0:
                self._registry(options["workers"])
                self._targeting()
                self._enrollment()
                self._billing()
                self._claims()
        password = demo_password()
        accounts = ensure_demo_accounts(password, extra)
        # Counted last, before serving: the rebuilds queued by the changes above then find
        # nothing left to count (dashboard.tasks), so the first pages do not share the machine
        # with a recount.
        self._dashboard()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("Demo accounts (password for all of them):")))
        self.stdout.write(f"  {password}")
        for account in accounts:
            where = account.region or options["province"] or DEMO_KABUPATEN
            self.stdout.write(f"  {account.username:<18} {account.role.label} · {where}")
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(
            _("Log in at %(url)s as demo.admin with the password above.") % {"url": url}
        )
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])

    def _province(self, province: str, workers: int) -> list[DemoAccount]:
        """Every kabupaten/kota of `province` served, each with workers, its own policy and its
        approved list 1; returns the accounts of its admins and the provincial officer."""
        from lindung.ops import demo_province

        regions = demo_province.kabupaten_of(province)
        if not regions:
            raise CommandError(_("%(code)s is not a province code.") % {"code": province})
        codes = [region.code for region in regions]
        call_command("setup", kabupaten=codes, stdout=self.stdout, stderr=self.stderr)
        folder = settings.LINDUNG_SHARED_DATA
        for name in ("indonesia_kabupaten_kota.geojson", "indonesia_kecamatan.geojson"):
            if path := shared_file(folder, name):
                try:
                    call_command(
                        "regions", "load-boundaries", str(path), "--within", province,
                        stdout=self.stdout,
                    )  # fmt: skip
                except CommandError as exc:
                    self.stderr.write(_("Boundaries not loaded: %(error)s") % {"error": exc})
        self._reference_data()  # Lombok Timur's finer polygons and population over those
        if workers > 0:
            demo_province.registry(province, workers, self.stdout.write)
            demo_province.policies_and_lists(province, self.stdout.write)
        return demo_province.province_accounts(province)

    def _registry(self, workers: int) -> None:
        """A synthetic worker list of Lombok Timur, imported like a real one (idempotent)."""
        from lindung.registry.imports import import_file
        from lindung.registry.synth import generate, write

        folder = Path(settings.VAR_DIR) / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"pekerja-sintetis-{workers}.csv"
        if not path.exists():
            write(generate(workers, kabupaten=DEMO_KABUPATEN, seed=1), path)
        outcome = import_file(by="demo", path=path, source=DEMO_SOURCE)
        pairs = ensure_demo_duplicates(folder)
        summary = outcome.summary()
        self.stdout.write(
            _("Demo registry: %(new)s new, %(unchanged)s unchanged workers from %(file)s")
            % {
                "new": format_number(summary["new"]),
                "unchanged": format_number(summary["unchanged"]),
                "file": path.name,
            }
        )
        self.stdout.write(
            _("Demo possible duplicates to review: %(pairs)s") % {"pairs": format_number(pairs)}
        )

    def _demo_policy(self) -> None:
        """The demo regency's Perbup: the default rules with budgets sized to the demo
        registry (APBD Rp1,2 M, DBHCHT Rp300 jt), so that the pagu is the same on every page."""
        from lindung.rules.models import PolicyVersion
        from lindung.rules.policy import Policy, deployment
        from lindung.rules.services import save_policy_version

        if PolicyVersion.objects.exists():
            return
        data = Policy.default(deployment()).to_data()
        budgets = {"apbd": 1_200_000_000, "dbhcht": 300_000_000}
        data["sources"] = [
            s | {"annual_budget": budgets.get(s["code"], s["annual_budget"])}
            for s in data["sources"]
        ]
        save_policy_version(by=None, data=data, name="Perbup (demo)", note="")

    def _targeting(self) -> None:
        """Two scenarios for next year, sized to the demo registry, the first approved as list 1
        (once: a demo that already has scenarios keeps them)."""
        from django.utils import timezone

        from lindung.targeting.approval import approve
        from lindung.targeting.models import Scenario
        from lindung.targeting.services import run_scenario

        if Scenario.objects.exists():
            return
        self._demo_policy()
        year = timezone.localdate().year + 1
        first = run_scenario(
            by="demo", fiscal_year=year, name=_("Demo: APBD and DBHCHT"),
            budgets={"apbd": 1_200_000_000, "dbhcht": 300_000_000},
        )  # fmt: skip
        run_scenario(
            by="demo", fiscal_year=year, name=_("Demo: a larger APBD"),
            budgets={"apbd": 2_000_000_000, "dbhcht": 300_000_000},
        )  # fmt: skip
        approved = approve(by="demo", scenario=first, decree=f"188.45/DEMO/{year}")
        self.stdout.write(
            _(
                "Demo targeting: two scenarios for %(year)s; list %(number)s approved with "
                "%(selected)s workers."
            )
            % {
                "year": year,
                "number": approved.number,
                "selected": format_number(approved.selected),
            }
        )

    def _enrollment(self) -> None:
        """List 1 enrolled: a batch per wadah, the synthetic branch's answers committed (once)."""
        from lindung.enrollment.models import State

        folder = Path(settings.VAR_DIR) / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        counts = enroll_demo_list(folder)
        if counts is None:
            return
        self.stdout.write(
            _("Demo enrollment of list 1: %(counts)s.")
            % {
                "counts": ", ".join(
                    f"{State(state).label} {format_number(n)}" for state, n in counts.items()
                )
            }
        )

    def _billing(self) -> None:
        """List 1's bills: made, the first ones issued, the APBD one paid (once)."""
        done = bill_demo_list()
        if done is None:
            return
        self.stdout.write(
            _("Demo bills of list 1: %(bills)s bills, %(paid)s paid (%(amount)s).")
            % {
                "bills": format_number(done["bills"]),
                "paid": format_number(done["paid"]),
                "amount": format_rupiah(done["amount_paid"]),
            }
        )

    def _claims(self) -> None:
        """A pilot year that has run, with deaths and accidents and their claims (once)."""
        from lindung.claims.models import ClaimState
        from lindung.ops.demo_claims import claims_demo

        folder = Path(settings.VAR_DIR) / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        done = claims_demo(folder)
        if done is None:
            return
        states = ", ".join(
            f"{ClaimState(state).label} {format_number(done[state])}"
            for state in ClaimState.values
            if done.get(state)
        )
        self.stdout.write(
            _(
                "Demo claims of the pilot year %(year)s: %(events)s events reported; "
                "claims: %(states)s."
            )
            % {"year": done["year"], "events": format_number(done["events"]), "states": states}
        )

    def _dashboard(self) -> None:
        """Count the dashboard's figures now, so the first page shows them."""
        from lindung.dashboard.aggregates import refresh

        done = refresh()
        self.stdout.write(
            _("Dashboard counted from %(workers)s workers in %(seconds)s s.")
            % {"workers": format_number(done.workers), "seconds": format_number(done.seconds, 2)}
        )

    def _reference_data(self) -> None:
        """Boundaries and population from ../shared/data/wilayah, when that folder is there."""
        folder = settings.LINDUNG_SHARED_DATA
        desa = shared_file(folder, "lombok_timur_desa.geojson")
        if desa is None:
            self.stdout.write(
                _("No boundary files in %(folder)s: maps will show tables instead.")
                % {"folder": folder}
            )
            return
        try:
            for name in (
                "lombok_timur_kabupaten.geojson",
                "lombok_timur_kecamatan_from_desa.geojson",
                "lombok_timur_desa.geojson",
            ):
                if path := shared_file(folder, name):
                    call_command("regions", "load-boundaries", str(path), stdout=self.stdout)
            if path := shared_file(folder, "lombok_timur_penduduk_kecamatan_sp2010.csv"):
                call_command(
                    "regions", "load-population", str(path), "--year", "2010",
                    "--count-column", "total", "--skip-empty", "--label", "BPS SP2010",
                    stdout=self.stdout,
                )  # fmt: skip
            if path := shared_file(folder, "penduduk_prov_kab_dukcapil_2024s2.csv"):
                call_command(
                    "regions", "load-population", str(path), "--year", "2024",
                    "--count-column", "total", "--allow-unmatched", "--label", "Dukcapil 2024 S2",
                    stdout=self.stdout,
                )  # fmt: skip
        except CommandError as exc:
            self.stderr.write(_("Reference data not loaded: %(error)s") % {"error": exc})
