from typing import Any

import pytest
from django.test import Client

from lindung.accounts.tests.factories import UserFactory, operator_desa, operator_kecamatan
from lindung.regions.models import Population
from lindung.roles import Role

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    response = client.get("/wilayah/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


def test_home_lists_the_21_kecamatan_with_254_desa_kelurahan(client: Client) -> None:
    client.force_login(UserFactory(role=Role.OPERATOR_KABUPATEN))
    response = client.get("/wilayah/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 21
    assert sum(r.children for r in rows) == 254
    assert sum(r.desa for r in rows) == 239
    assert sum(r.kelurahan for r in rows) == 15
    assert "Sakra Timur" in response.text
    assert "Kabupaten Lombok Timur" in response.text


def test_home_shows_the_latest_population_per_kecamatan(client: Client) -> None:
    Population.objects.create(region_id="52.03.07", year=2010, count=70000)
    Population.objects.create(region_id="52.03.07", year=2024, count=85123)
    client.force_login(UserFactory(role=Role.PIMPINAN))
    response = client.get("/wilayah/")
    selong = next(r for r in response.context["rows"] if r.region.code == "52.03.07")
    assert (selong.population, selong.population_year) == (85123, 2024)
    assert "85.123" in response.text


def test_the_home_page_query_count_does_not_grow_with_kecamatan(
    client: Client, django_assert_num_queries: Any
) -> None:
    client.force_login(UserFactory(role=Role.ADMIN))
    with django_assert_num_queries(7):
        client.get("/wilayah/")


def test_a_kecamatan_operator_lands_on_their_kecamatan(client: Client) -> None:
    client.force_login(operator_kecamatan("52.03.07"))
    response = client.get("/wilayah/")
    assert response.status_code == 302
    assert response["Location"] == "/wilayah/52.03.07/"
    detail = client.get(response["Location"])
    codes = [r.region.code for r in detail.context["rows"]]
    assert codes and all(c.startswith("52.03.07.") for c in codes)


def test_drill_down_lists_the_desa_of_a_kecamatan(client: Client) -> None:
    client.force_login(UserFactory(role=Role.OPERATOR_KABUPATEN))
    response = client.get("/wilayah/52.03.08/")
    assert response.status_code == 200
    assert "Pringgabaya" in response.text
    assert all(r.region.parent_id == "52.03.08" for r in response.context["rows"])


def test_a_desa_operator_cannot_open_the_neighbouring_desa(client: Client) -> None:
    client.force_login(operator_desa("52.03.07.1001"))
    assert client.get("/wilayah/52.03.07.1001/").status_code == 200
    assert client.get("/wilayah/52.03.07.1002/").status_code == 404
    assert client.get("/wilayah/52.03.07/").status_code == 404


def test_a_desa_operator_s_desa_page_links_nowhere_they_cannot_open(client: Client) -> None:
    client.force_login(operator_desa("52.03.07.1001"))
    response = client.get("/wilayah/52.03.07.1001/")
    assert 'href="/wilayah/52.03.07/"' not in response.text
    client.force_login(operator_kecamatan("52.03.07"))
    assert 'href="/wilayah/52.03.07/"' in client.get("/wilayah/52.03.07.1001/").text


def test_regions_outside_the_deployment_are_404_even_for_admins(client: Client) -> None:
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get("/wilayah/52.01/").status_code == 404
    assert client.get("/api/v1/wilayah/31.71").status_code == 404
