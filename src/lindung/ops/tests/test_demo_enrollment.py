"""`lindung demo` enrolls list 1 through the synthetic BPJS branch, once."""

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lindung.audit.models import Event
from lindung.enrollment.models import Answer, AnswerStatus, Participation, RegistrationBatch, State
from lindung.enrollment.models import Wadah as WadahModel
from lindung.ops.demo import DEMO_KABUPATEN, enroll_demo_list
from lindung.registry.imports import import_file
from lindung.registry.synth import generate, write
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def list_1(settings: Any, tmp_path: Path) -> None:
    """The demo's registry and list 1 at a small size: 1.500 synthetic workers, APBD and DBHCHT
    budgets that pay for a few hundred of them."""
    settings.VAR_DIR = tmp_path
    registry = tmp_path / "pekerja.csv"
    write(generate(1_500, kabupaten=DEMO_KABUPATEN, seed=1), registry)
    import_file(by="demo", path=registry, source="DTKS (sintetis)")
    scenario = run_scenario(
        by="demo",
        fiscal_year=timezone.localdate().year + 1,
        budgets={"apbd": 60_000_000, "dbhcht": 15_000_000},
    )
    approve(by="demo", scenario=scenario, decree="188.45/DEMO")


@pytest.mark.usefixtures("list_1")
def test_the_demo_enrolls_list_1_mostly_registered_and_only_once(tmp_path: Path) -> None:
    counts = enroll_demo_list(tmp_path)

    assert counts is not None
    listed = Participation.objects.count()
    assert sum(counts.values()) == listed > 100
    assert counts[State.TERDAFTAR] >= 0.85 * listed
    assert counts[State.DITOLAK] + counts[State.GANDA_AKTIF] > 0
    assert counts[State.CALON] + counts[State.DIAJUKAN] <= 0.05 * listed
    wadah = {w.code: w for w in WadahModel.objects.all()}
    assert set(wadah) == {"SG-APBD", "SG-DBHCHT"}
    assert wadah["SG-APBD"].name == "Pekerja Rentan APBD Kab. Lombok Timur"
    assert wadah["SG-DBHCHT"].branch == "KC Selong" and wadah["SG-DBHCHT"].npw
    batches = RegistrationBatch.objects.all()
    assert {b.wadah.code for b in batches} == {"SG-APBD", "SG-DBHCHT"}
    assert Answer.objects.filter(status=AnswerStatus.COMMITTED).count() == 2
    assert Event.objects.filter(action="answer_committed", actor_label="demo").count() == 2

    # A second run (`make demo` again) makes no other wadah, batch or answer.
    assert enroll_demo_list(tmp_path) == counts
    assert (WadahModel.objects.count(), RegistrationBatch.objects.count()) == (2, 2)
    assert Answer.objects.count() == 2


def test_without_a_list_there_is_nothing_to_enroll(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path

    assert enroll_demo_list(tmp_path) is None
    assert not WadahModel.objects.exists()
