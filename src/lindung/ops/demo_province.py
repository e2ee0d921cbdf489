"""`lindung demo --province 52`: a province in one installation (Nusa Tenggara Barat by default
of the code): every kabupaten/kota of the province served, synthetic workers in each, each with
its own Perbup (budgets sized to its workers), a scenario approved as its own list 1, an
administrator of its own, and a read-only provincial officer. Idempotent like the demo of one
kabupaten; the enrollment, billing and claims demo stay Lombok Timur's (`lindung demo`)."""

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from lindung.ops.demo import DemoAccount
from lindung.regions.models import Level, Region
from lindung.roles import Role

BUDGET_PER_WORKER = 24_000  # APBD rupiah per registry worker, as the Lombok Timur demo's
DBHCHT_PER_WORKER = 6_000


def kabupaten_of(province: str) -> list[Region]:
    """The kabupaten/kota of `province` in the wilayah tree."""
    return list(
        Region.objects.filter(parent_id=province, level=Level.KABUPATEN_KOTA).order_by("code")
    )


def province_accounts(province: str) -> list[DemoAccount]:
    """An administrator bound to each kabupaten/kota and the provincial officer."""
    accounts = [
        DemoAccount(
            f"demo.admin.{region.code.replace('.', '')}",
            f"Admin {region.name}",
            Role.ADMIN,
            region.code,
        )
        for region in kabupaten_of(province)
    ]
    accounts.append(DemoAccount("demo.provinsi", "Lalu Muhammad Iqbal", Role.PROVINSI, province))
    return accounts


def registry(province: str, workers: int, say: Callable[[str], None]) -> None:
    """`workers` synthetic workers of the province, shared out by population (NIKs unique
    across it, names of each island), written one file per kabupaten/kota and imported like
    real lists (a file already imported changes nothing)."""
    from lindung.registry.imports import import_file
    from lindung.registry.synth.province import plan_province, split_name, write_province

    folder = Path(settings.VAR_DIR) / "demo" / f"provinsi-{province}-{workers}"
    if not folder.exists():
        write_province(plan_province(province, rows=workers, seed=1), folder, split=True)
    for region in kabupaten_of(province):
        path = folder / split_name(region.code)
        if path.exists():
            outcome = import_file(by="demo", path=path, source="DTKS (sintetis)")
            say(f"{region.name}: {outcome.summary()['new']} new")


def policies_and_lists(province: str, say: Callable[[str], None]) -> None:
    """Each kabupaten/kota's own Perbup, one scenario for next year, approved as its list 1."""
    from lindung.registry.models import Worker
    from lindung.rules.models import PolicyVersion
    from lindung.rules.policy import Policy
    from lindung.rules.services import save_policy_version
    from lindung.targeting.approval import approve
    from lindung.targeting.models import BeneficiaryList
    from lindung.targeting.services import run_scenario

    year = timezone.localdate().year + 1
    for region in kabupaten_of(province):
        code = region.code
        workers = Worker.objects.filter(kabupaten_id=code).count()
        if not PolicyVersion.objects.filter(kabupaten=code).exists():
            data = Policy.default((code,)).to_data()
            budgets = {"apbd": workers * BUDGET_PER_WORKER, "dbhcht": workers * DBHCHT_PER_WORKER}
            data["sources"] = [
                s | {"annual_budget": budgets.get(s["code"], s["annual_budget"])}
                for s in data["sources"]
            ]
            save_policy_version(
                by=None, data=data, name=f"Perbup {region.name} (demo)", kabupaten=code
            )
        if BeneficiaryList.objects.filter(kabupaten=code, fiscal_year=year).exists():
            continue
        scenario = run_scenario(
            by="demo", fiscal_year=year, kabupaten=code, name=f"Demo {region.name}"
        )
        approved = approve(by="demo", scenario=scenario, decree=f"188.45/DEMO-{code}/{year}")
        say(f"{region.name}: list {approved.number} ({approved.selected} workers)")
