from typing import Any

import pytest
from django.contrib import messages
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from lindung.accounts.models import User
from lindung.accounts.tests.factories import (
    UserFactory,
    admin,
    operator_desa,
    operator_kecamatan,
    user_with_role,
)
from lindung.audit.models import Event
from lindung.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss() -> User:
    return admin(username="boss")


@pytest.fixture
def admin_client(client: Client, boss: User) -> Client:
    client.force_login(boss)
    return client


def _create(client: Client, **data: str) -> Any:
    form = {"username": "ahmad", "full_name": "Lalu Ahmad", "role": "", "region_code": ""}
    return client.post(reverse("accounts:user-create"), form | data)


def _page_urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("accounts:user-list")),
        ("get", reverse("accounts:user-create")),
        ("get", reverse("accounts:user-detail", args=[pk])),
        ("get", reverse("accounts:user-edit", args=[pk])),
        ("post", reverse("accounts:user-deactivate", args=[pk])),
        ("post", reverse("accounts:user-activate", args=[pk])),
        ("post", reverse("accounts:user-reset-password", args=[pk])),
    ]


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_other_roles_may_not_manage_users(client: Client, role: str) -> None:
    target = UserFactory()
    client.force_login(user_with_role(role))
    for method, url in _page_urls(target.pk):
        assert getattr(client, method)(url).status_code == 403, url
    target.refresh_from_db()
    assert target.is_active
    assert not Event.objects.exists()


def test_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(reverse("accounts:user-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_state_changes_need_post(admin_client: Client) -> None:
    target = UserFactory()
    for name in ("user-deactivate", "user-activate", "user-reset-password"):
        url = reverse(f"accounts:{name}", args=[target.pk])
        assert admin_client.get(url).status_code == 405


def test_the_user_list_filters_by_role_wilayah_status_and_search(admin_client: Client) -> None:
    UserFactory(username="kab", full_name="Lalu Kabupaten")
    operator_kecamatan("52.03.07", username="selong", full_name="Muhammad Ridwan")
    operator_desa("52.03.07.1001", username="pancor", full_name="Zulkarnaen")
    operator_kecamatan("52.03.08", username="pringgabaya", is_active=False)

    def usernames(**params: str) -> list[str]:
        response = admin_client.get(reverse("accounts:user-list"), params)
        assert response.status_code == 200
        return [u.username for u in response.context["page"]]

    assert usernames() == ["boss", "kab", "pancor", "pringgabaya", "selong"]
    assert usernames(role="operator_kecamatan") == ["pringgabaya", "selong"]
    assert usernames(region="52.03.07") == ["pancor", "selong"]
    assert usernames(active="0") == ["pringgabaya"]
    assert usernames(active="1", role="operator_kecamatan") == ["selong"]
    assert usernames(q="ridwan") == ["selong"]
    assert usernames(q="PANC") == ["pancor"]
    assert usernames(role="nonsense") == ["boss", "kab", "pancor", "pringgabaya", "selong"]


def test_the_user_list_pages_and_keeps_the_filter(admin_client: Client) -> None:
    for n in range(60):
        UserFactory(username=f"op{n:02}", role=Role.BPJS)
    response = admin_client.get(reverse("accounts:user-list"), {"role": "bpjs"})
    assert len(response.context["page"]) == 50
    assert b'href="?role=bpjs&amp;page=2"' in response.content
    response = admin_client.get(reverse("accounts:user-list"), {"role": "bpjs", "page": 2})
    assert [u.username for u in response.context["page"]] == [f"op{n}" for n in range(50, 60)]


def test_the_user_list_query_count_does_not_grow_with_users(
    admin_client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(30):
        operator_desa("52.03.07.1001", username=f"desa{n:02}")
    # session, user, deployment + its areas (scope), wilayah picker, count, page
    with django_assert_num_queries(7):
        response = admin_client.get(reverse("accounts:user-list"))
    assert response.status_code == 200


def test_an_admin_creates_a_user_and_sees_the_password_once(
    admin_client: Client, boss: User
) -> None:
    response = _create(
        admin_client,
        role=Role.OPERATOR_KECAMATAN,
        region_code="52.03.07",
        phone="0812",
        email="ahmad@example.id",
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert len(password) >= 16
    assert password.encode() in response.content

    user = User.objects.get(username="ahmad")
    assert (user.role, user.region_id, user.full_name) == (
        Role.OPERATOR_KECAMATAN,
        "52.03.07",
        "Lalu Ahmad",
    )
    assert user.must_change_password
    assert user.check_password(password)

    event = Event.objects.get(action="user_created")
    assert (event.actor, event.object_id) == (boss, str(user.pk))
    assert event.before == {}
    assert event.after["region"] == "52.03.07"
    assert event.after["role"] == "operator_kecamatan"
    assert "password" not in event.after
    assert password not in str(event.after)

    detail = admin_client.get(reverse("accounts:user-detail", args=[user.pk]))
    assert password.encode() not in detail.content


@pytest.mark.parametrize(
    ("role", "region_code"),
    [
        (Role.OPERATOR_KECAMATAN, ""),  # operators need a wilayah
        (Role.OPERATOR_KECAMATAN, "52.03.07.1001"),  # a desa, not a kecamatan
        (Role.OPERATOR_DESA, "52.03.07"),  # a kecamatan, not a desa
        (Role.OPERATOR_KECAMATAN, "52.01.01"),  # a kecamatan of another kabupaten
        (Role.OPERATOR_DESA, "52.01.01.2001"),  # a desa of another kabupaten
        (Role.BPJS, "52.03.07"),  # kabupaten-wide roles take a kabupaten or nothing
        (Role.OPERATOR_KABUPATEN, "52.01"),  # a kabupaten outside the deployment
        (Role.OPERATOR_KECAMATAN, "99.99.99"),  # no such wilayah
    ],
)
def test_an_admin_cannot_assign_a_wilayah_outside_the_deployment_or_of_the_wrong_level(
    admin_client: Client, role: str, region_code: str
) -> None:
    response = _create(admin_client, role=role, region_code=region_code)
    assert response.status_code == 200
    assert response.context["form"].errors["region_code"]
    assert not User.objects.filter(username="ahmad").exists()
    assert not Event.objects.exists()


def test_kabupaten_wide_roles_may_be_bound_to_the_kabupaten_or_nothing(
    admin_client: Client,
) -> None:
    _create(admin_client, username="a", role=Role.PIMPINAN, region_code="52.03")
    _create(admin_client, username="b", role=Role.AUDITOR)
    assert User.objects.get(username="a").region_id == "52.03"
    assert User.objects.get(username="b").region_id is None


def test_a_taken_username_is_refused_whatever_its_case(admin_client: Client) -> None:
    UserFactory(username="ahmad")
    response = _create(admin_client, username="AHMAD", role=Role.BPJS)
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username__iexact="ahmad").count() == 1


def test_the_wilayah_picker_lists_kecamatan_and_desa_grouped_by_kecamatan(
    admin_client: Client,
) -> None:
    response = admin_client.get(reverse("accounts:user-create"))
    html = response.content.decode()
    assert '<option value="52.03.07">Kec. Selong</option>' in html
    assert '<optgroup label="Kec. Selong' in html
    assert '<option value="52.03.07.1001">Kel. Pancor</option>' in html
    assert 'value="52.01.01"' not in html  # outside the deployment
    assert 'hx-get="/akun/pengguna/baru/"' in html


def test_choosing_a_role_with_htmx_narrows_the_wilayah_picker(admin_client: Client) -> None:
    response = admin_client.get(
        reverse("accounts:user-create"), {"role": Role.OPERATOR_KECAMATAN}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="field" id="field-region"')
    assert 'value="52.03.07"' in html
    assert 'value="52.03.07.1001"' not in html
    assert "HX-Request" in response["Vary"]


def test_an_admin_edits_a_user_and_the_change_is_audited(admin_client: Client, boss: User) -> None:
    user = operator_kecamatan("52.03.07", full_name="Lama", phone="0811")
    response = admin_client.post(
        reverse("accounts:user-edit", args=[user.pk]),
        {
            "full_name": "Baru",
            "role": Role.OPERATOR_DESA,
            "region_code": "52.03.07.1001",
            "phone": "0811",
            "email": "",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.role, user.region_id) == ("Baru", "operator_desa", "52.03.07.1001")
    event = Event.objects.get(action="user_updated")
    assert event.actor == boss
    assert event.before == {
        "full_name": "Lama",
        "role": "operator_kecamatan",
        "region": "52.03.07",
    }
    assert event.after == {
        "full_name": "Baru",
        "role": "operator_desa",
        "region": "52.03.07.1001",
    }


def test_the_edit_form_starts_from_the_users_current_values(admin_client: Client) -> None:
    user = operator_desa("52.03.07.1001", full_name="Zulkarnaen")
    response = admin_client.get(reverse("accounts:user-edit", args=[user.pk]))
    form = response.context["form"]
    assert form["region_code"].value() == "52.03.07.1001"
    assert form["role"].value() == Role.OPERATOR_DESA
    assert b'<option value="52.03.07.1001" selected>' in response.content


def test_an_edit_without_changes_writes_no_event(admin_client: Client) -> None:
    user = UserFactory(full_name="Sama", role=Role.BPJS)
    admin_client.post(
        reverse("accounts:user-edit", args=[user.pk]),
        {"full_name": "Sama", "role": Role.BPJS, "region_code": "", "phone": "", "email": ""},
    )
    assert not Event.objects.exists()


def test_an_admin_cannot_change_their_own_role(admin_client: Client, boss: User) -> None:
    response = admin_client.post(
        reverse("accounts:user-edit", args=[boss.pk]),
        {"full_name": "Boss", "role": Role.BPJS, "region_code": ""},
    )
    assert response.context["form"].errors["role"]
    boss.refresh_from_db()
    assert boss.role == Role.ADMIN


def test_an_admin_deactivates_and_reactivates_a_user(admin_client: Client, boss: User) -> None:
    user = UserFactory()
    response = admin_client.post(reverse("accounts:user-deactivate", args=[user.pk]))
    assert response["Location"] == reverse("accounts:user-detail", args=[user.pk])
    user.refresh_from_db()
    assert not user.is_active

    admin_client.post(reverse("accounts:user-activate", args=[user.pk]))
    user.refresh_from_db()
    assert user.is_active

    events = list(Event.objects.order_by("id").values_list("action", "before", "after", "actor"))
    assert events == [
        ("user_deactivated", {"is_active": True}, {"is_active": False}, boss.pk),
        ("user_activated", {"is_active": False}, {"is_active": True}, boss.pk),
    ]


def test_an_admin_cannot_deactivate_themselves(admin_client: Client, boss: User) -> None:
    response = admin_client.post(reverse("accounts:user-deactivate", args=[boss.pk]), follow=True)
    boss.refresh_from_db()
    assert boss.is_active
    assert not Event.objects.exists()
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]


def test_an_admin_resets_a_password_shown_once(admin_client: Client, boss: User) -> None:
    user = UserFactory()
    response = admin_client.post(reverse("accounts:user-reset-password", args=[user.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    user.refresh_from_db()
    assert user.check_password(password)
    assert user.must_change_password
    event = Event.objects.get(action="password_reset")
    assert (event.actor, event.object_id) == (boss, str(user.pk))
    assert event.before == {"must_change_password": False}
    assert event.after == {"must_change_password": True}
    assert password not in str(event.after)


def test_the_user_detail_shows_recent_events_by_and_about_the_user(
    admin_client: Client, boss: User
) -> None:
    user = UserFactory(username="siti")
    admin_client.post(reverse("accounts:user-deactivate", args=[user.pk]))
    admin_client.post(reverse("accounts:user-activate", args=[user.pk]))
    other = UserFactory()
    admin_client.post(reverse("accounts:user-deactivate", args=[other.pk]))

    response = admin_client.get(reverse("accounts:user-detail", args=[user.pk]))
    actions = [row.event.action for row in response.context["rows"]]
    assert actions == ["user_activated", "user_deactivated"]

    response = admin_client.get(reverse("accounts:user-detail", args=[boss.pk]))
    assert len(response.context["rows"]) == 3  # everything boss did


def test_an_unknown_user_is_404(admin_client: Client) -> None:
    assert admin_client.get(reverse("accounts:user-detail", args=[999999])).status_code == 404
