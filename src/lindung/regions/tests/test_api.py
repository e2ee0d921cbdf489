import pytest
from django.test import Client

from lindung.accounts.tests.factories import UserFactory, operator_kecamatan
from lindung.roles import Role

pytestmark = pytest.mark.django_db


def test_the_api_needs_a_login(client: Client) -> None:
    assert client.get("/api/v1/wilayah/").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_the_api_lists_the_kecamatan_of_the_deployment(client: Client) -> None:
    client.force_login(UserFactory(role=Role.BPJS))
    roots = client.get("/api/v1/wilayah/").json()
    assert [r["code"] for r in roots] == ["52.03"]
    kecamatan = client.get("/api/v1/wilayah/52.03/children").json()
    assert len(kecamatan) == 21
    assert sum(k["children"] for k in kecamatan) == 254
    assert {"code", "name", "level", "type", "parent", "desa", "kelurahan", "population"} <= set(
        kecamatan[0]
    )


def test_me_tells_the_role_and_scope(client: Client) -> None:
    client.force_login(operator_kecamatan("52.03.07", username="op.selong"))
    me = client.get("/api/v1/me").json()
    assert me == {
        "username": "op.selong",
        "full_name": me["full_name"],
        "role": "operator_kecamatan",
        "region": "52.03.07",
        "scope": ["52.03.07"],
    }


def test_an_operator_gets_404_for_another_kecamatan_over_the_api(client: Client) -> None:
    client.force_login(operator_kecamatan("52.03.07"))
    assert client.get("/api/v1/wilayah/52.03.07").status_code == 200
    assert client.get("/api/v1/wilayah/52.03").status_code == 404
    assert client.get("/api/v1/wilayah/52.03.08").status_code == 404
