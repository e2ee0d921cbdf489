"""Demo content for a fresh installation: one account per role, boundaries and population,
possible duplicates to review, and list 1 enrolled with the synthetic BPJS branch.

Everything here goes through the same services and loaders an administrator would use.
"""

import datetime
import itertools
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from lindung.accounts.models import User
from lindung.accounts.services import create_user, reset_password
from lindung.roles import Role

if TYPE_CHECKING:
    from lindung.enrollment.models import Wadah
    from lindung.targeting.models import BeneficiaryList

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
def ensure_demo_accounts(
    password: str, accounts: list[DemoAccount] | None = None
) -> list[DemoAccount]:
    """Create the demo accounts (`accounts` too), or give existing ones the new password."""
    accounts = [*DEMO_ACCOUNTS, *(accounts or [])]
    for account in accounts:
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
    return accounts


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


DEMO_BRANCH = "KC Selong"


def ensure_demo_wadah(approved: "BeneficiaryList") -> list["Wadah"]:
    """One SG wadah per funding source of the list's policy (SG-APBD, SG-DBHCHT, …), made through
    the same service as the wadah page; an existing code is kept as it is."""
    from lindung.enrollment.batches import list_policy
    from lindung.enrollment.models import Wadah, WadahType
    from lindung.enrollment.services import save_wadah

    result = []
    for number, source in enumerate(list_policy(approved).sources, start=1):
        code = f"SG-{source.code.upper()}"
        wadah = Wadah.objects.filter(code=code).first()
        if wadah is None:
            wadah = save_wadah(
                by="demo",
                wadah=None,
                data={
                    "code": code,
                    "name": f"Pekerja Rentan {source.label} Kab. Lombok Timur",
                    "source": source.code,
                    "type_code": WadahType.SG,
                    "npw": f"5203{number:04d}",
                    "branch": DEMO_BRANCH,
                },
            )
        result.append(wadah)
    return result


def enroll_demo_list(folder: Path) -> dict[str, int] | None:
    """Enroll list 1 (its version in force) as a branch would: per wadah a batch of the new
    registrations, the synthetic branch's answer to its file (`enrollment.synth`), checked and
    committed. Idempotent: a wadah that has a batch of the list gets no other, and a batch with
    a committed answer is not answered again. Returns the list's participations per state (None
    without a list 1)."""
    from django.db.models import Count

    from lindung.enrollment.batches import default_start
    from lindung.enrollment.models import (
        Participation,
        State,
    )
    from lindung.targeting.lists import current_list
    from lindung.targeting.models import BeneficiaryList

    first = BeneficiaryList.objects.filter(number=1).first()
    approved = current_list(first.fiscal_year) if first is not None else None
    if approved is None:
        return None
    enroll_list(approved, folder, start=default_start(approved.fiscal_year))
    counts = dict(
        Participation.objects.filter(fiscal_year=approved.fiscal_year)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {state: counts.get(state, 0) for state in State.values}


def enroll_list(approved: "BeneficiaryList", folder: Path, *, start: datetime.date) -> None:
    """Per wadah of `approved`, a batch of its new registrations and one of its renewals (workers
    registered in another year) from `start`, and the synthetic branch's answer to each, checked
    and committed (idempotent)."""
    from lindung.enrollment.answers.service import commit, receive
    from lindung.enrollment.batches import batch_files, create_batch
    from lindung.enrollment.models import AnswerStatus, BatchStatus, Kind, RegistrationBatch
    from lindung.enrollment.services import EnrollmentError
    from lindung.enrollment.synth import fake_answer

    kinds = (Kind.NEW, Kind.RENEWAL)
    for wadah, kind in itertools.product(ensure_demo_wadah(approved), kinds):
        batch = (
            RegistrationBatch.objects.filter(beneficiary_list=approved, wadah=wadah, kind=kind)
            .exclude(status=BatchStatus.CANCELLED)
            .first()
        )
        if batch is None:
            try:
                batch = create_batch(
                    by="demo", beneficiary_list=approved, wadah=wadah, start=start, kind=kind
                )
            except EnrollmentError:  # no candidates of this source: nothing to send
                continue
        if batch.answers.filter(status=AnswerStatus.COMMITTED).exists():
            continue
        answer_file = folder / f"jawaban-{wadah.code.lower()}-{batch.pk}.xlsx"
        fake_answer(batch_files(batch)["xlsx"], answer_file, seed=batch.pk)
        answer = receive(by="demo", batch=batch, source=answer_file, file_name=answer_file.name)
        if answer.status == AnswerStatus.CHECKED:
            commit(by="demo", answer=answer)


def bill_demo_list() -> dict[str, int] | None:
    """Bills and payments for list 1's registered participants, as a Dinas would have them a
    few weeks before the year starts: the year's bills made (each source's months per bill);
    the first bills issued by the branch; the APBD one paid in full (SP2D and bank reference),
    the DBHCHT one waiting for its SP2D with its funds marked late. Idempotent: a second run
    makes no bill and pays nothing twice. Returns counts (None without a list 1)."""
    from lindung.billing import services
    from lindung.billing.models import Bill, BillState
    from lindung.targeting.models import BeneficiaryList

    first = BeneficiaryList.objects.filter(number=1).first()
    if first is None:
        return None
    year = first.fiscal_year
    services.make_bills(by="demo", fiscal_year=year)
    today = services.today()
    opening = Bill.objects.filter(fiscal_year=year, period_start__month=1).order_by("number")
    for n, bill in enumerate(opening, 1):
        if bill.state == BillState.RENCANA:
            bill = services.issue_bill(
                by="demo",
                bill=bill,
                bpjs_number=f"TAG/{year}/{n:03d}",
                assessment_code=f"{year % 100:02d}01{n:08d}",
                billed_on=today,
            )
        if bill.source == "apbd" and bill.paid == 0:
            services.record_sp2d(
                by="demo", bill=bill, number=f"SP2D-{n:04d}/BUD/{year}", date=today
            )
            services.pay(
                by="demo",
                bill=bill,
                amount=bill.amount,
                paid_on=today,
                reference=f"BNTB {year}{n:06d}",
            )
        elif bill.source != "apbd" and not bill.funds_delayed and bill.paid == 0:
            services.set_funds_delayed(
                by="demo",
                bill=bill,
                delayed=True,
                reason="Transfer DBHCHT dari pusat belum diterima",
            )
    bills = Bill.objects.filter(fiscal_year=year)
    return {
        "bills": bills.count(),
        "paid": bills.filter(state=BillState.DIBAYAR).count(),
        "amount_paid": sum(b.paid for b in bills),
    }
