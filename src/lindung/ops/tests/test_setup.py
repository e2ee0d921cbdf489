import re
from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import translation

from lindung.accounts.models import User
from lindung.audit.models import Event
from lindung.regions.models import Deployment, Region
from lindung.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _setup(*args: str) -> str:
    out = StringIO()
    call_command("setup", *args, stdout=out)
    return out.getvalue()


def test_setup_configures_the_kabupaten_and_prints_the_first_admin_password_once() -> None:
    output = _setup("--kabupaten", "52.03", "--skip-regions")
    assert Deployment.objects.get().area_codes() == ["52.03"]
    password = re.search(r"password: (\S+)", output)
    assert password is not None
    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMIN and admin.must_change_password
    request = RequestFactory().post("/akun/masuk/")
    assert authenticate(request, username="admin", password=password.group(1)) == admin
    assert Event.objects.filter(action="user_created", object_id=str(admin.pk)).exists()

    again = _setup("--kabupaten", "52.03", "--skip-regions")
    assert "password:" not in again
    assert User.objects.filter(role=Role.ADMIN).count() == 1


def test_setup_can_serve_several_kabupaten() -> None:
    _setup("--kabupaten", "52.03,52.04", "--skip-regions")
    assert Deployment.objects.get().area_codes() == ["52.03", "52.04"]
    event = Event.objects.filter(action="deployment_configured").first()
    assert event is not None
    assert event.before == {"name": "Kabupaten Lombok Timur", "areas": ["52.03"]}
    assert event.after["areas"] == ["52.03", "52.04"]


def test_setup_refuses_an_unknown_kabupaten_and_changes_nothing() -> None:
    with pytest.raises(CommandError, match=r"52\.99"):
        _setup("--kabupaten", "52.99", "--skip-regions")
    with pytest.raises(CommandError, match=r"52\.03\.07"):
        _setup("--kabupaten", "52.03.07", "--skip-regions")
    assert Deployment.objects.get().area_codes() == ["52.03"]


def test_setup_loads_the_whole_wilayah_tree_idempotently() -> None:
    output = _setup("--kabupaten", "52.03")
    assert Region.objects.count() == 38 + 514 + 7285 + 83762
    assert re.search(r"83\.762\s+0\s+0\s+83\.762", output), output
