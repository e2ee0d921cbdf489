import pytest

from lindung.accounts import services
from lindung.accounts.tests.factories import UserFactory, admin, operator_kecamatan
from lindung.audit.models import Event
from lindung.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_generated_passwords_are_long_unambiguous_and_different() -> None:
    passwords = {services.generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == 23
        assert not set(password) & set("0O1lI")


@pytest.mark.parametrize(
    ("role", "code", "expected"),
    [
        (Role.OPERATOR_KECAMATAN, "52.03.07", "52.03.07"),
        (Role.OPERATOR_DESA, "52.03.07.1001", "52.03.07.1001"),
        (Role.OPERATOR_KABUPATEN, "52.03", "52.03"),
        (Role.OPERATOR_KABUPATEN, None, None),
        (Role.ADMIN, "", None),
    ],
)
def test_each_role_takes_the_wilayah_of_its_level(
    role: str, code: str | None, expected: str | None
) -> None:
    region = services.resolve_region(by=admin(), role=role, code=code)
    assert (region.code if region else None) == expected


def test_an_admin_assigns_only_wilayah_within_their_own_scope() -> None:
    bound = admin(region_id="52.03")
    assert services.resolve_region(by=bound, role=Role.OPERATOR_DESA, code="52.03.07.1001")
    with pytest.raises(services.AccountError):
        services.resolve_region(by=bound, role=Role.OPERATOR_KECAMATAN, code="52.01.01")


def test_a_deactivated_admin_can_assign_nothing() -> None:
    with pytest.raises(services.AccountError, match="outside this deployment"):
        services.resolve_region(
            by=admin(is_active=False), role=Role.OPERATOR_KECAMATAN, code="52.03.07"
        )


def test_updating_records_only_the_changed_fields() -> None:
    boss = admin()
    user = operator_kecamatan("52.03.07", phone="0811", email="a@example.id")
    services.update_user(
        by=boss,
        user=user,
        full_name=user.full_name,
        role=Role.OPERATOR_KECAMATAN,
        region_code="52.03.08",
        phone="0811",
        email="a@example.id",
    )
    event = Event.objects.get()
    assert (event.before, event.after) == ({"region": "52.03.07"}, {"region": "52.03.08"})


def test_deactivating_twice_records_one_event() -> None:
    boss, user = admin(), UserFactory()
    services.deactivate_user(by=boss, user=user)
    services.deactivate_user(by=boss, user=user)
    assert Event.objects.filter(action="user_deactivated").count() == 1


def test_a_given_password_may_be_set_without_forcing_a_change() -> None:
    user = UserFactory(must_change_password=True)
    services.reset_password(
        by=None, user=user, password="lindung-demo-1234", must_change_password=False
    )
    user.refresh_from_db()
    assert user.check_password("lindung-demo-1234")
    assert not user.must_change_password
    assert Event.objects.get().actor_label == "system"


def test_an_invalid_email_is_refused() -> None:
    with pytest.raises(services.AccountError) as error:
        services.create_user(by=None, username="x", role=Role.BPJS, email="not-an-email")
    assert error.value.field == "email"
