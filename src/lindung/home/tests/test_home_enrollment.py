"""The home pages count enrollment with BPJS: what each role has to do next, in its wilayah."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import (
    UserFactory,
    admin,
    operator_desa,
    operator_kecamatan,
)
from lindung.enrollment.answers.service import receive
from lindung.enrollment.batches import batch_files, create_batch
from lindung.enrollment.models import AnswerStatus, Participation, State, Wadah, WadahType
from lindung.enrollment.synth import fake_answer
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db

PANCOR, BAGIK_PAPAN = "52.03.07.1001", "52.03.08.2001"
HOME = {"address": "Dusun Lauk Rurung", "birth_place": "Selong", "desil": 1}
YEAR_COST = 12 * 16_800


@pytest.fixture
def enrolling(settings: Any, tmp_path: Path) -> dict[str, Any]:
    """List 1 of 2027 with four workers in Pancor and two in Bagik Papan, sent in one batch
    whose answer waits for a decision; in Pancor one worker was rejected by an earlier answer
    and one is a candidate again."""
    settings.VAR_DIR = tmp_path
    WorkerFactory.create_batch(4, desa_id=PANCOR, **HOME)
    WorkerFactory.create_batch(2, desa_id=BAGIK_PAPAN, **HOME)
    scenario = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": 6 * YEAR_COST})
    approved = approve(by="test", scenario=scenario, decree="188.45/1/2027")
    wadah = Wadah.objects.create(
        code="SG-APBD", name="Pekerja Rentan APBD", source="apbd", type_code=WadahType.SG
    )
    batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah)
    answer_file = tmp_path / "jawaban.xlsx"
    fake_answer(batch_files(batch)["xlsx"], answer_file)
    answer = receive(by="test", batch=batch, source=answer_file, file_name="jawaban.xlsx")
    assert answer.status == AnswerStatus.CHECKED
    pancor = Participation.objects.filter(desa_id=PANCOR).order_by("pk")
    Participation.objects.filter(pk=pancor[0].pk).update(state=State.DITOLAK, reason="Dukcapil")
    Participation.objects.filter(pk=pancor[1].pk).update(state=State.CALON, batch=None)
    return {"batch": batch}


def _home(user: Any) -> Any:
    client: Client = english_client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OPERATOR_KABUPATEN])
def test_an_enrolling_role_sees_what_waits_and_where_to_look(
    role: str, enrolling: dict[str, Any]
) -> None:
    response = _home(UserFactory(role=role))

    work = response.context["enrollment"]
    assert work.fiscal_year == 2027
    assert (work.by_state[State.CALON], work.by_state[State.DITOLAK]) == (1, 1)
    assert (work.batches_waiting, work.answers_waiting) == (1, 1)
    html = response.text
    rejected = reverse("enrollment:participation-list") + "?state=DITOLAK"
    assert f'href="{rejected}"' in html
    assert f'href="{reverse("enrollment:overview")}?tahun=2027"' in html
    for card in ("todo-candidates", "todo-batches-waiting", "todo-answers-waiting"):
        assert f'data-testid="{card}"' in html


def test_bpjs_sees_the_batches_and_answers_waiting_with_links_to_them(
    enrolling: dict[str, Any],
) -> None:
    response = _home(UserFactory(role=Role.BPJS))

    work = response.context["enrollment"]
    assert (work.batches_waiting, work.answers_waiting) == (1, 1)
    assert [b.pk for b in work.batches] == [enrolling["batch"].pk]
    assert work.batches[0].answers_waiting == 1
    html = response.text
    assert f'href="{reverse("enrollment:batch-detail", args=[enrolling["batch"].pk])}"' in html
    assert f'href="{reverse("enrollment:overview")}"' in html
    assert 'data-testid="home-lists"' in html  # the lists in force stay below


def test_an_area_operator_counts_their_area_per_state_without_batches(
    enrolling: dict[str, Any],
) -> None:
    desa = _home(operator_desa(PANCOR))

    work = desa.context["enrollment"]
    assert work.by_state == {
        **dict.fromkeys(State.values, 0),
        State.CALON: 1,
        State.DIAJUKAN: 2,
        State.DITOLAK: 1,
    }
    assert (work.batches_waiting, work.answers_waiting, work.batches) == (0, 0, [])
    html = desa.text
    assert 'data-testid="enrollment-states"' in html
    assert f'href="{reverse("enrollment:participation-list")}?state=DIAJUKAN"' in html
    assert 'data-testid="todo-batches-waiting"' not in html
    assert f'href="{reverse("enrollment:overview")}?tahun=' not in html
    kecamatan = _home(operator_kecamatan("52.03.08")).context["enrollment"]
    assert kecamatan.by_state[State.DIAJUKAN] == 2 and sum(kecamatan.by_state.values()) == 2


def test_an_area_without_participations_is_told_where_they_come_from() -> None:
    response = _home(operator_desa(PANCOR))

    assert response.context["enrollment"].fiscal_year is None
    assert 'data-testid="enrollment-none"' in response.text
    assert 'data-testid="home-enrollment"' in _home(admin()).text
