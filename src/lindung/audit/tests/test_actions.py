"""Every audit event names an `audit.Action`; actors are resolved in one place."""

import ast
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from lindung.accounts.tests.factories import admin
from lindung.audit.actions import MOVES_NUMBERS, Action
from lindung.audit.actors import actor_label, actor_user
from lindung.audit.models import Event
from lindung.audit.services import record

SRC = Path(__file__).resolve().parents[2]


def _sources() -> list[Path]:
    return [
        path
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


@pytest.mark.django_db
def test_it_refuses_an_action_given_as_plain_text() -> None:
    with transaction.atomic(), pytest.raises(TypeError, match=r"audit\.Action"):
        record(by=None, action="worker_updated")  # type: ignore[arg-type]
    assert not Event.objects.exists()


def test_no_audit_event_is_written_with_a_bare_text_action() -> None:
    """`record(...)`, `Event(...)` and event filters name an Action member, never a string."""
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in {"record", "record_load", "Event", "filter", "get", "exclude"}:
                continue
            for keyword in node.keywords:
                text = isinstance(keyword.value, ast.Constant | ast.JoinedStr)
                if keyword.arg == "action" and text:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert found == []


def test_every_action_is_used_in_the_code() -> None:
    """An action nobody records is either dead or recorded as text somewhere."""
    code = "\n".join(
        path.read_text(encoding="utf-8") for path in _sources() if path.name != "actions.py"
    )
    used = set(re.findall(r"\bAction\.([A-Z_][A-Z0-9_]*)\b", code))
    assert {a.name for a in Action} - used == set()


def test_the_actions_that_move_numbers_are_actions() -> None:
    assert set(Action) >= MOVES_NUMBERS
    assert all(isinstance(a, Action) for a in MOVES_NUMBERS)


@pytest.mark.django_db
def test_a_user_is_the_actor_and_a_label_is_text() -> None:
    boss = admin(username="boss")
    assert (actor_user(boss), actor_label(boss)) == (boss, "boss")
    assert (actor_user("cli:budi"), actor_label("cli:budi")) == (None, "cli:budi")
    assert (actor_user(None), actor_label(None)) == (None, "system")
    assert actor_user(AnonymousUser()) is None


@pytest.mark.django_db
def test_the_audit_page_shows_the_action_label() -> None:
    with transaction.atomic():
        event = record(by=None, action=Action.WORKER_UPDATED)
    assert event.action_label == str(Action.WORKER_UPDATED.label)
    assert Event(action="retired_action").action_label == "retired_action"
