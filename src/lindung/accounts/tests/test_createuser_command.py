import io

import pytest
from django.core.management import CommandError, call_command

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory
from lindung.audit.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    options = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command("createuser", *args, stdout=out, **options)
    return out.getvalue()


def test_it_creates_a_user_and_prints_the_generated_password_once() -> None:
    output = _run("ridwan", "--role", "operator_kecamatan", "--wilayah", "52.03.07")
    user = User.objects.get(username="ridwan")
    password = output.strip().rsplit(" ", 1)[-1]
    assert output.count(password) == 1
    assert user.check_password(password)
    assert user.must_change_password
    assert (user.role, user.region_id, user.full_name) == (
        "operator_kecamatan",
        "52.03.07",
        "ridwan",
    )
    assert "Kec. Selong" in output
    event = Event.objects.get(action="user_created")
    assert (event.actor, event.actor_label) == (None, "system")


def test_it_takes_the_password_from_stdin_and_does_not_print_it() -> None:
    output = _run(
        "admin1",
        "--role",
        "admin",
        "--full-name",
        "Baiq Nurul",
        "--email",
        "baiq@example.id",
        "--password-stdin",
        stdin="teh-manis-hangat-9\n",
    )
    user = User.objects.get(username="admin1")
    assert user.check_password("teh-manis-hangat-9")
    assert not user.must_change_password
    assert (user.full_name, user.email) == ("Baiq Nurul", "baiq@example.id")
    assert "teh-manis" not in output


def test_an_unknown_role_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match=r"Unknown role “camat”.*operator_kecamatan"):
        _run("x", "--role", "camat")


def test_an_operator_without_wilayah_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="needs a kecamatan"):
        _run("x", "--role", "operator_kecamatan")


@pytest.mark.parametrize(
    ("role", "code", "message"),
    [
        ("operator_desa", "52.03.07", "needs a desa/kelurahan"),
        ("operator_kecamatan", "52.01.01", "outside this deployment"),
        ("bpjs", "52.03.07", "regency/city"),
    ],
)
def test_a_wrong_wilayah_is_a_clear_error(role: str, code: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run("x", "--role", role, "--wilayah", code)
    assert not User.objects.filter(username="x").exists()


def test_an_existing_username_is_a_clear_error() -> None:
    UserFactory(username="siti")
    with pytest.raises(CommandError, match="already taken"):
        _run("Siti", "--role", "bpjs")


def test_a_weak_password_from_stdin_is_refused() -> None:
    with pytest.raises(CommandError, match=r"too short|too common"):
        _run("x", "--role", "bpjs", "--password-stdin", stdin="1234\n")
