import factory

from lindung.accounts.models import User
from lindung.roles import Role

PASSWORD = "rahasia-uji-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    full_name = factory.Faker("name", locale="id_ID")
    role = Role.OPERATOR_KABUPATEN
    region = None
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: object = None) -> None:
        if create:
            instance.save()


def admin(**kwargs: object) -> User:
    return UserFactory(role=Role.ADMIN, **kwargs)


def operator_kecamatan(code: str = "52.03.07", **kwargs: object) -> User:
    return UserFactory(role=Role.OPERATOR_KECAMATAN, region_id=code, **kwargs)


def operator_desa(code: str = "52.03.07.1001", **kwargs: object) -> User:
    return UserFactory(role=Role.OPERATOR_DESA, region_id=code, **kwargs)


def auditor(**kwargs: object) -> User:
    return UserFactory(role=Role.AUDITOR, **kwargs)


def user_with_role(role: str, **kwargs: object) -> User:
    """A valid user of any role (operators get a wilayah of their level)."""
    if role == Role.OPERATOR_KECAMATAN:
        return operator_kecamatan(**kwargs)
    if role == Role.OPERATOR_DESA:
        return operator_desa(**kwargs)
    return UserFactory(role=role, **kwargs)
