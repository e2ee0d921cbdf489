"""Demo content for a fresh installation: one account per role, boundaries and population.

Everything here goes through the same services and loaders an administrator would use.
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from lindung.accounts.models import User
from lindung.accounts.services import create_user, reset_password
from lindung.roles import Role

DEMO_KABUPATEN = "52.03"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    region: str | None


DEMO_ACCOUNTS = [
    DemoAccount("demo.admin", "Baiq Nurul Hidayati", Role.ADMIN, None),
    DemoAccount("demo.kabupaten", "Lalu Ahmad Zaini", Role.OPERATOR_KABUPATEN, None),
    DemoAccount("demo.selong", "Muhammad Ridwan", Role.OPERATOR_KECAMATAN, "52.03.07"),
    DemoAccount("demo.pringgabaya", "Siti Aminah", Role.OPERATOR_KECAMATAN, "52.03.08"),
    DemoAccount("demo.desa", "Zulkarnaen", Role.OPERATOR_DESA, "52.03.07.1001"),
    DemoAccount("demo.bpjs", "Dewi Kartika Sari", Role.BPJS, None),
    DemoAccount("demo.pimpinan", "H. Haerul Warisin", Role.PIMPINAN, None),
    DemoAccount("demo.auditor", "I Made Suarta", Role.AUDITOR, None),
]


def demo_password() -> str:
    return "lindung-" + secrets.token_hex(4)


@transaction.atomic
def ensure_demo_accounts(password: str) -> list[DemoAccount]:
    """Create the demo accounts, or give existing ones the new demo password."""
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user, _generated = create_user(
                by=None,
                username=account.username,
                full_name=account.full_name,
                role=account.role,
                region_code=account.region,
                password=password,
                must_change_password=False,
            )
        else:
            reset_password(by=None, user=user, password=password, must_change_password=False)
    return DEMO_ACCOUNTS


def shared_file(folder: Path, name: str) -> Path | None:
    path = folder / name
    return path if path.is_file() else None


DEMO_DUPLICATE_SOURCE = "Pendataan desa (sintetis)"


def ensure_demo_duplicates(folder: Path, *, count: int = 12) -> int:
    """A second, small list that names `count` registered workers again under another NIK with
    a slightly different spelling, imported like a real one, so that the demo has possible
    duplicates to review. Returns how many pairs are open (idempotent: the same file again adds
    none). Needs the demo registry imported first."""
    from lindung.registry.imports import import_file
    from lindung.registry.models import DuplicateStatus, PossibleDuplicate, Worker
    from lindung.registry.synth.duplicates import near_duplicates

    path = folder / "pekerja-sintetis-duplikat.csv"
    if not path.exists():
        # The first registered workers of the demo list, spread over it: the same ones every time.
        ids = list(Worker.objects.current().order_by("id").values_list("id", flat=True))
        if not ids:
            return 0
        picked = ids[:: max(1, len(ids) // count)][:count]
        workers = Worker.objects.filter(id__in=picked).order_by("id")
        rows = workers.values("nik", "name", "sex", "birth_date", "desa_id")
        taken = set(Worker.objects.values_list("nik", flat=True))
        path.write_text(near_duplicates(rows, taken=taken), encoding="utf-8")
    import_file(by="demo", path=path, source=DEMO_DUPLICATE_SOURCE)
    return PossibleDuplicate.objects.filter(status=DuplicateStatus.OPEN).count()
