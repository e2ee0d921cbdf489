"""Admins add versions of the rules: validated like the file, audited, never on a taken date."""

import copy
import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin, operator_desa
from lindung.audit.models import Event
from lindung.rules import national
from lindung.rules.calculators import contribution
from lindung.rules.data_files import to_toml
from lindung.rules.models import RuleVersion
from lindung.rules.national import RulesError, history, rules_for
from lindung.rules.services import add_rule_version

pytestmark = pytest.mark.django_db

LIST = reverse("rules:version-list")
ADD = reverse("rules:version-add")
JULY = datetime.date(2026, 7, 1)


def _data(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(national.file_versions()[-1].data)
    data.update({"version": "2026-07-01-test", "note": "test", **changes})
    return data


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_an_added_version_takes_effect_and_is_audited() -> None:
    user = admin()
    data = _data()
    data["contribution"]["jkm"]["amount"] = 7_000
    version = add_rule_version(by=user, effective_from=JULY, data=data, note="JKM naik")
    assert version.created_by == user
    assert [v.rules.version for v in history()][-1] == "2026-07-01-test"
    assert rules_for(JULY).jkm.amount == 7_000
    assert rules_for(JULY - datetime.timedelta(days=1)).jkm.amount == 6_800
    assert contribution(1_000_000, month=JULY, funding="apbd").total_per_month == 17_000
    event = Event.objects.get(action="rules_version_added")
    assert event.actor == user
    assert event.after["effective_from"] == "2026-07-01"


@pytest.mark.parametrize("day", [datetime.date(2025, 12, 22), datetime.date(2021, 1, 1)])
def test_it_refuses_an_effective_date_already_taken(day: datetime.date) -> None:
    with pytest.raises(RulesError, match="overlapping effective date"):
        add_rule_version(by=admin(), effective_from=day, data=_data(), note="")
    assert not RuleVersion.objects.exists()
    assert not Event.objects.filter(action="rules_version_added").exists()


def test_it_refuses_a_date_taken_by_an_added_version() -> None:
    add_rule_version(by=None, effective_from=JULY, data=_data(), note="")
    with pytest.raises(RulesError, match="overlapping effective date"):
        add_rule_version(by=None, effective_from=JULY, data=_data(version="other"), note="")
    assert RuleVersion.objects.count() == 1


def test_it_refuses_invalid_rules_and_saves_nothing() -> None:
    data = _data()
    del data["benefits"]["stmb"]
    with pytest.raises(RulesError, match=r"benefits\.stmb"):
        add_rule_version(by=None, effective_from=JULY, data=data, note="")
    assert not RuleVersion.objects.exists()
    assert not Event.objects.exists()


def test_only_configure_may_open_the_pages(client: Client) -> None:
    assert client.get(LIST).status_code == 302
    _login(client, operator_desa())
    assert client.get(LIST).status_code == 403
    assert client.get(ADD).status_code == 403


def test_the_history_lists_file_versions(client: Client) -> None:
    response = _login(client, admin()).get(LIST)
    assert response.status_code == 200
    assert b"2025-12-22-pp50" in response.content
    assert b"2021-01-01-pp82" in response.content


def test_the_form_starts_from_a_copy_of_the_latest(client: Client) -> None:
    response = _login(client, admin()).get(ADD)
    assert response.status_code == 200
    assert "version = &quot;2025-12-22-pp50&quot;" in response.content.decode()


def test_an_admin_adds_a_version_as_toml(client: Client) -> None:
    user = admin()
    text = to_toml(_data(effective_from="2026-07-01"))
    response = _login(client, user).post(ADD, {"text": text, "note": "uji"})
    assert response.status_code == 302
    version = RuleVersion.objects.get()
    assert (version.effective_from, version.note, version.created_by) == (JULY, "uji", user)
    assert Event.objects.filter(action="rules_version_added", actor=user).count() == 1


def test_malformed_toml_is_refused_with_its_line(client: Client) -> None:
    text = to_toml(_data(effective_from="2026-07-01")).replace("percent = 50", "percent = = 50")
    response = _login(client, admin()).post(ADD, {"text": text, "note": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.error_line is not None
    assert "percent = = 50" in text.splitlines()[form.error_line - 1]
    assert b"<mark>" in response.content
    assert not RuleVersion.objects.exists()


def test_a_taken_date_is_shown_as_a_form_error(client: Client) -> None:
    text = to_toml(_data(effective_from="2025-12-22"))
    response = _login(client, admin()).post(ADD, {"text": text, "note": ""})
    assert response.status_code == 200
    assert "overlapping effective date" in str(response.context["form"].errors)
    assert not RuleVersion.objects.exists()
