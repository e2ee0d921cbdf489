"""The password validators hold on every path that sets a password."""

import io
from collections.abc import Callable

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from lindung.accounts import services
from lindung.accounts.models import User
from lindung.accounts.tests.factories import PASSWORD, UserFactory, admin
from lindung.accounts.validators import VariedCharactersValidator
from lindung.ops.demo import demo_password

pytestmark = pytest.mark.django_db

WEAK = "aaaaaaaaaaaa"
REFUSED = "terlalu mudah ditebak"  # the Indonesian message of VariedCharactersValidator


def _by_createuser() -> str:
    with pytest.raises(CommandError) as refused:
        call_command(
            "createuser",
            "ridwan",
            "--role",
            "bpjs",
            "--password-stdin",
            stdin=io.StringIO(WEAK + "\n"),
            stdout=io.StringIO(),
        )
    assert not User.objects.filter(username="ridwan").exists()
    return str(refused.value)


def _by_an_admin_creating_a_user() -> str:
    with pytest.raises(services.AccountError) as refused:
        services.create_user(by=admin(), username="ridwan", role="bpjs", password=WEAK)
    assert not User.objects.filter(username="ridwan").exists()
    return refused.value.message


def _by_an_admin_resetting_a_password() -> str:
    user = UserFactory(username="ridwan")
    with pytest.raises(services.AccountError) as refused:
        services.reset_password(by=admin(), user=user, password=WEAK)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    return refused.value.message


def _by_the_user_changing_their_own() -> str:
    user = UserFactory(username="ridwan")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": WEAK, "new_password2": WEAK},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    return " ".join(response.context["form"].errors["new_password2"])


@pytest.mark.parametrize(
    "path",
    [
        _by_createuser,
        _by_an_admin_creating_a_user,
        _by_an_admin_resetting_a_password,
        _by_the_user_changing_their_own,
    ],
    ids=lambda path: path.__name__.removeprefix("_by_"),
)
def test_a_weak_password_such_as_aaaaaaaaaaaa_is_refused(path: Callable[[], str]) -> None:
    assert REFUSED in path()


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "AaAaAaAaAaAa", "abababababab", "kopi12kopi12", "abcdefghijkl", "zyxwvutsrq"],
)
def test_repeated_and_ordered_characters_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        VariedCharactersValidator().validate(password)


@pytest.mark.parametrize(
    "password", ["kopi-tubruk-pagi-7", "teh-manis-hangat-9", "rahasia-uji-123", "lindung-3fa9c2e1"]
)
def test_ordinary_passphrases_pass(password: str) -> None:
    VariedCharactersValidator().validate(password)


def test_generated_passwords_pass_every_validator() -> None:
    """The Users pages, `lindung createuser` and `lindung setup` generate; `lindung demo` too."""
    user = User(username="ridwan", full_name="Muhammad Ridwan", email="ridwan@example.id")
    for _ in range(200):
        validate_password(services.generate_password(), user)
        validate_password(demo_password(), user)


def test_the_users_pages_hand_out_passwords_that_pass_every_validator(client: Client) -> None:
    client.force_login(admin())
    created = client.post(
        reverse("accounts:user-create"),
        {"username": "ridwan", "full_name": "Muhammad Ridwan", "role": "bpjs", "region_code": ""},
    )
    account = User.objects.get(username="ridwan")
    validate_password(created.context["password"], account)
    reset = client.post(reverse("accounts:user-reset-password", args=[account.pk]))
    validate_password(reset.context["password"], account)
