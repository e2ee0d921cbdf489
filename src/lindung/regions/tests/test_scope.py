import polars as pl
import pytest
from django.db import connection
from django.test import Client

from lindung.accounts.tests.factories import UserFactory, operator_desa, operator_kecamatan
from lindung.regions import scope
from lindung.regions.models import Region
from lindung.regions.queries import visible_regions
from lindung.regions.scope import codes_for, contains
from lindung.roles import Role

pytestmark = pytest.mark.django_db


def test_kabupaten_wide_roles_see_the_whole_deployment() -> None:
    for role in (Role.ADMIN, Role.OPERATOR_KABUPATEN, Role.BPJS, Role.PIMPINAN, Role.AUDITOR):
        user = UserFactory(role=role)
        assert codes_for(user) == ["52.03"]
        assert visible_regions(user).filter(level=3).count() == 21
        assert visible_regions(user).filter(level=4).count() == 254


def test_operator_kecamatan_sees_only_their_kecamatan() -> None:
    user = operator_kecamatan("52.03.07")
    assert codes_for(user) == ["52.03.07"]
    assert contains(codes_for(user), "52.03.07.1001")
    assert not contains(codes_for(user), "52.03.08")
    assert not contains(codes_for(user), "52.03.07".replace("07", "070"))
    codes = set(visible_regions(user).values_list("code", flat=True))
    assert "52.03.07" in codes
    assert all(c == "52.03.07" or c.startswith("52.03.07.") for c in codes)


def test_operator_desa_sees_only_their_desa() -> None:
    user = operator_desa("52.03.07.1001")
    assert list(visible_regions(user).values_list("code", flat=True)) == ["52.03.07.1001"]


def test_a_region_outside_the_deployment_gives_no_scope() -> None:
    user = operator_kecamatan("52.01.01")
    assert codes_for(user) == []


def test_inactive_users_see_nothing() -> None:
    user = UserFactory(role=Role.ADMIN, is_active=False)
    assert codes_for(user) == []


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


def test_its_orm_sql_and_polars_forms_find_what_contains_finds() -> None:
    codes = ["52.03.07", "52.03.08.2001", "52.01"]
    every = list(Region.objects.values_list("code", flat=True))
    expected = {c for c in every if scope.contains(codes, c)}
    assert len(expected) > 20
    assert set(Region.objects.filter(scope.q(codes)).values_list("code", flat=True)) == expected
    where, params = scope.sql(codes, "code")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT code FROM regions_region WHERE {where}", params)  # noqa: S608
        assert {row[0] for row in cursor.fetchall()} == expected
    frame = pl.DataFrame({"code": [*every, None]})
    assert set(frame.filter(scope.expr(codes, "code"))["code"]) == expected


def test_no_codes_match_nothing_in_every_form() -> None:
    assert not Region.objects.filter(scope.q([])).exists()
    where, params = scope.sql([], "code")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM regions_region WHERE {where}", params)  # noqa: S608
        assert cursor.fetchone() == (0,)
    assert pl.DataFrame({"code": ["52.03"]}).filter(scope.expr([], "code")).is_empty()


def test_it_refuses_a_code_that_would_be_a_like_pattern() -> None:
    with pytest.raises(ValueError, match="not a region code"):
        scope.q(["52.0_"], "code")
    with pytest.raises(ValueError, match="not a region code"):
        scope.sql(["%"], "code")


def test_only_the_deployment_s_codes_are_the_whole_deployment() -> None:
    assert scope.is_whole_deployment(["52.03"])
    assert not scope.is_whole_deployment(["52.03.07"])
    assert not scope.is_whole_deployment([])
