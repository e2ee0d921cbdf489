import pytest
from django.test import Client

from lindung.accounts.roles import Role
from lindung.accounts.tests.factories import UserFactory, operator_desa, operator_kecamatan
from lindung.regions.models import Region
from lindung.regions.queries import in_scope, scope_codes, visible_regions

pytestmark = pytest.mark.django_db


def test_kabupaten_wide_roles_see_the_whole_deployment() -> None:
    for role in (Role.ADMIN, Role.OPERATOR_KABUPATEN, Role.BPJS, Role.PIMPINAN, Role.AUDITOR):
        user = UserFactory(role=role)
        assert scope_codes(user) == ["52.03"]
        assert visible_regions(user).filter(level=3).count() == 21
        assert visible_regions(user).filter(level=4).count() == 254


def test_operator_kecamatan_sees_only_their_kecamatan() -> None:
    user = operator_kecamatan("52.03.07")
    assert scope_codes(user) == ["52.03.07"]
    assert in_scope(user, "52.03.07.1001")
    assert not in_scope(user, "52.03.08")
    assert not in_scope(user, "52.03.07".replace("07", "070"))
    codes = set(visible_regions(user).values_list("code", flat=True))
    assert "52.03.07" in codes
    assert all(c == "52.03.07" or c.startswith("52.03.07.") for c in codes)


def test_operator_desa_sees_only_their_desa() -> None:
    user = operator_desa("52.03.07.1001")
    assert list(visible_regions(user).values_list("code", flat=True)) == ["52.03.07.1001"]


def test_a_region_outside_the_deployment_gives_no_scope() -> None:
    user = operator_kecamatan("52.01.01")
    assert scope_codes(user) == []


def test_inactive_users_see_nothing() -> None:
    user = UserFactory(role=Role.ADMIN, is_active=False)
    assert scope_codes(user) == []


def test_operator_requesting_another_kecamatan_gets_404(client: Client) -> None:
    user = operator_kecamatan("52.03.07")
    client.force_login(user)
    assert client.get("/wilayah/52.03.07/").status_code == 200
    assert client.get("/wilayah/52.03.08/").status_code == 404
    assert client.get("/wilayah/52.03.08.2001/").status_code == 404
    assert client.get("/api/v1/wilayah/52.03.08").status_code == 404
    assert client.get("/api/v1/wilayah/52.03.08/children").status_code == 404
    assert client.get("/api/v1/wilayah/52.03.07/children").status_code == 200


def test_it_finds_the_same_subtree_as_a_prefix_match_of_the_codes() -> None:
    prefixes = ["52.03.07", "52.03.08.2001", "52.01"]
    codes = Region.objects.values_list("code", flat=True)
    expected = {c for c in codes if any(c == p or c.startswith(p + ".") for p in prefixes)}
    assert len(expected) > 20
    assert set(Region.objects.within(prefixes).values_list("code", flat=True)) == expected
