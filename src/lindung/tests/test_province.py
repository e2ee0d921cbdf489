"""One installation for several kabupaten/kota (issue 17): each has its own policy, scenarios,
approved lists and approvals, run by its own admins; operators of one never see another's; a
provincial officer sees all of them and changes nothing."""

import datetime
from typing import Any

import pytest
from django.test import Client

from lindung.accounts.models import User
from lindung.accounts.services import AccountError, resolve_region
from lindung.accounts.tests.factories import UserFactory, admin, operator_desa
from lindung.billing.queries import visible_bills
from lindung.billing.services import make_bills
from lindung.enrollment.models import Participation, State, Wadah
from lindung.enrollment.queries import visible_participations
from lindung.regions import scope
from lindung.regions.models import Deployment, Region
from lindung.regions.services import update_decree_settings
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.rules.national import RulesError
from lindung.rules.policy import Policy, active_policy
from lindung.rules.services import save_policy_version
from lindung.targeting.approval import ListError, approve
from lindung.targeting.lampiran import lampiran_heading
from lindung.targeting.lists import current_list
from lindung.targeting.models import BeneficiaryList, Selection
from lindung.targeting.services import TargetingError, run_scenario

pytestmark = pytest.mark.django_db

LOTIM, LOBAR = "52.03", "52.01"


@pytest.fixture
def province() -> dict[str, Any]:
    """Lombok Barat and Lombok Timur in one installation, two eligible workers in each, an
    admin and a desa operator of each, and a provincial officer."""
    Deployment.objects.get(pk=1).areas.set(Region.objects.filter(code__in=[LOBAR, LOTIM]))
    lobar_desa = Region.objects.filter(code__startswith=LOBAR + ".", level=4).order_by("code")[0]
    workers = {
        LOTIM: [WorkerFactory(desil=1), WorkerFactory(desil=2)],
        LOBAR: [WorkerFactory(desil=1, desa_id=lobar_desa.code) for _ in range(2)],
    }
    return {
        "workers": workers,
        "desa": {LOTIM: "52.03.07.1001", LOBAR: lobar_desa.code},
        "admin": {code: admin(region_id=code) for code in (LOTIM, LOBAR)},
        "operator": {
            LOTIM: operator_desa("52.03.07.1001"),
            LOBAR: operator_desa(lobar_desa.code),
        },
        "provinsi": UserFactory(role=Role.PROVINSI),
    }


def _policy(code: str, budget: int) -> dict[str, Any]:
    data = Policy.default((code,)).to_data()
    for source in data["sources"]:
        source["annual_budget"] = budget if source["code"] == "apbd" else 0
    return data


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_kabupaten_saves_and_reads_its_own_policy(province: dict[str, Any]) -> None:
    lotim = save_policy_version(
        by=province["admin"][LOTIM], data=_policy(LOTIM, 10**9), name="Perbup Lotim",
        kabupaten=LOTIM,
    )  # fmt: skip
    lobar = save_policy_version(
        by=province["admin"][LOBAR], data=_policy(LOBAR, 5 * 10**8), name="Perbup Lobar",
        kabupaten=LOBAR,
    )  # fmt: skip

    assert active_policy(LOTIM)[1] == lotim and active_policy(LOBAR)[1] == lobar
    assert active_policy(LOBAR)[0].deployment == (LOBAR,)
    assert {s.code: s.annual_budget for s in active_policy(LOTIM)[0].sources}["apbd"] == 10**9
    with pytest.raises(LookupError):
        active_policy()  # several kabupaten/kota: the caller must say which
    with pytest.raises(RulesError, match="sendiri"):
        save_policy_version(
            by=province["admin"][LOBAR], data=_policy(LOTIM, 1), name="x", kabupaten=LOTIM
        )
    assert active_policy(LOTIM)[1] == lotim  # nothing saved


def test_a_policy_names_areas_of_its_own_kabupaten_only(province: dict[str, Any]) -> None:
    data = _policy(LOBAR, 10**9)
    data["quotas"] = [{"area": "52.03.07", "minimum": 1}]

    with pytest.raises(RulesError, match=r"52\.03\.07"):
        save_policy_version(by=province["admin"][LOBAR], data=data, name="x", kabupaten=LOBAR)


def test_a_scenario_reads_only_its_kabupaten_and_is_run_by_its_admins(
    province: dict[str, Any],
) -> None:
    for code in (LOTIM, LOBAR):
        save_policy_version(by="test", data=_policy(code, 10**10), name=code, kabupaten=code)

    scenario = run_scenario(by=province["admin"][LOBAR], fiscal_year=2027, kabupaten=LOBAR)

    chosen = set(Selection.objects.filter(scenario=scenario).values_list("worker_id", flat=True))
    assert chosen == {w.pk for w in province["workers"][LOBAR]}
    assert scenario.kabupaten == LOBAR and scenario.workers == 2
    with pytest.raises(TargetingError, match="sendiri"):
        run_scenario(by=province["admin"][LOTIM], fiscal_year=2027, kabupaten=LOBAR)
    with pytest.raises(TargetingError, match="Sebutkan"):
        run_scenario(by="test", fiscal_year=2027)


def test_each_kabupaten_approves_its_own_lists_and_versions(
    province: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    for code in (LOTIM, LOBAR):
        save_policy_version(by="test", data=_policy(code, 10**10), name=code, kabupaten=code)
    lotim = run_scenario(by="test", fiscal_year=2027, kabupaten=LOTIM)
    lobar = run_scenario(by="test", fiscal_year=2027, kabupaten=LOBAR)

    with pytest.raises(ListError, match="sendiri"):
        approve(by=province["admin"][LOTIM], scenario=lobar)
    with django_capture_on_commit_callbacks(execute=True):
        first = approve(by=province["admin"][LOTIM], scenario=lotim)
        second = approve(by=province["admin"][LOBAR], scenario=lobar)

    # Both are version 1 of 2027, each in force in its own kabupaten/kota, with no revision
    # note asked: the other's list is not a predecessor.
    assert (first.kabupaten, first.version, second.kabupaten, second.version) == (
        LOTIM, 1, LOBAR, 1,
    )  # fmt: skip
    assert current_list(2027, LOTIM) == first and current_list(2027, LOBAR) == second
    assert first.previous is None and second.previous is None
    # Enrollment follows each list: approving Lombok Barat's ended none of Lombok Timur's.
    open_ones = Participation.objects.exclude(state=State.BERAKHIR)
    assert set(open_ones.values_list("worker_id", flat=True)) == {
        w.pk for code in (LOTIM, LOBAR) for w in province["workers"][code]
    }


def test_operators_never_see_another_kabupatens_lists(
    province: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    for code in (LOTIM, LOBAR):
        save_policy_version(by="test", data=_policy(code, 10**10), name=code, kabupaten=code)
    with django_capture_on_commit_callbacks(execute=True):
        lobar = approve(by="test", scenario=run_scenario(by="test", fiscal_year=2027,
                                                         kabupaten=LOBAR))  # fmt: skip
    lotim_operator = _login(province["operator"][LOTIM])
    lotim_admin = _login(province["admin"][LOTIM])

    assert lotim_operator.get(f"/sasaran/daftar/{lobar.number}/").status_code == 404
    assert lotim_admin.get(f"/sasaran/daftar/{lobar.number}/").status_code == 404
    assert lotim_admin.get(f"/api/v1/targeting/lists/{lobar.number}").status_code == 404
    assert lotim_admin.get("/api/v1/targeting/lists/").json() == []
    lobar_view = _login(province["operator"][LOBAR]).get(f"/sasaran/daftar/{lobar.number}/")
    assert lobar_view.status_code == 200


def test_an_admin_sees_and_edits_only_their_kabupatens_policy_pages(
    province: dict[str, Any],
) -> None:
    lobar = save_policy_version(by="test", data=_policy(LOBAR, 10**9), name="Lobar",
                                kabupaten=LOBAR)  # fmt: skip
    lotim_admin = _login(province["admin"][LOTIM])

    assert lotim_admin.get(f"/aturan/kebijakan/{lobar.number}/").status_code == 404
    page = lotim_admin.get("/aturan/kebijakan/").content.decode()
    assert "Lobar" not in page
    own = _login(province["admin"][LOBAR]).get(f"/aturan/kebijakan/{lobar.number}/")
    assert own.status_code == 200


def test_the_provincial_officer_sees_every_kabupaten_and_changes_nothing(
    province: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    officer = province["provinsi"]
    for code in (LOTIM, LOBAR):
        save_policy_version(by="test", data=_policy(code, 10**10), name=code, kabupaten=code)
    with django_capture_on_commit_callbacks(execute=True):
        lists = [
            approve(by="test", scenario=run_scenario(by="test", fiscal_year=2027, kabupaten=code))
            for code in (LOTIM, LOBAR)
        ]
    client = _login(officer)

    assert scope.codes_for(officer) == [LOBAR, LOTIM]
    assert client.get("/").url == "/dasbor/"
    index = client.get("/sasaran/daftar/").content.decode()
    assert "Kabupaten Lombok Barat" in index and "Kabupaten Lombok Timur" in index
    for approved in lists:
        assert client.get(f"/sasaran/daftar/{approved.number}/").status_code == 200
    assert {row["kabupaten"] for row in client.get("/api/v1/targeting/lists/").json()} == {
        LOTIM, LOBAR,
    }  # fmt: skip
    # Read-only: no policy, scenario, approval or registry change.
    for url in ("/aturan/kebijakan/ubah/", "/sasaran/", "/pekerja/impor/"):
        assert client.get(url).status_code == 403, url
    with pytest.raises(TargetingError, match="sendiri"):
        run_scenario(by=officer, fiscal_year=2028, kabupaten=LOTIM)
    with pytest.raises(ListError, match="sendiri"):
        approve(by=officer, scenario=run_scenario(by="test", fiscal_year=2028, kabupaten=LOTIM))
    assert BeneficiaryList.objects.count() == 2


def test_a_provincial_officer_may_be_bound_to_a_province_served(province: dict[str, Any]) -> None:
    assert resolve_region(by=None, role=Role.PROVINSI, code="52").code == "52"
    with pytest.raises(AccountError):
        resolve_region(by=None, role=Role.PROVINSI, code="51")  # Bali: not served
    bound = UserFactory(role=Role.PROVINSI, region_id="52")
    assert scope.codes_for(bound) == [LOBAR, LOTIM]


def test_a_user_of_several_kabupaten_picks_one_for_the_policy_pages(
    province: dict[str, Any],
) -> None:
    save_policy_version(by="test", data=_policy(LOBAR, 10**9), name="Lobar", kabupaten=LOBAR)
    client = _login(admin(username="admin.provinsi"))

    picker = client.get("/aturan/kebijakan/")
    assert picker.status_code == 200
    assert 'data-testid="kabupaten-picker"' in picker.content.decode()
    chosen = client.get("/aturan/kebijakan/?kabupaten=52.01").content.decode()
    assert "Lobar" in chosen
    assert "Lobar" in client.get("/aturan/kebijakan/").content.decode()  # remembered


def test_each_kabupatens_lists_print_its_own_heads_decree(
    province: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    update_decree_settings(
        by=province["admin"][LOBAR], kabupaten=LOBAR, head_title="", head_name="H. Lalu Fathul",
        signing_place="Gerung", decree_subject="",
    )  # fmt: skip
    for code in (LOTIM, LOBAR):
        save_policy_version(by="test", data=_policy(code, 10**10), name=code, kabupaten=code)
    with django_capture_on_commit_callbacks(execute=True):
        lotim, lobar = (
            approve(by="test", scenario=run_scenario(by="test", fiscal_year=2027, kabupaten=code))
            for code in (LOTIM, LOBAR)
        )

    lobar_heading, lotim_heading = lampiran_heading(lobar), lampiran_heading(lotim)
    assert (
        lobar_heading.office == "BUPATI LOMBOK BARAT" and lobar_heading.signer == "H. Lalu Fathul"
    )
    assert lobar_heading.place_date.startswith("Gerung")
    assert (
        lotim_heading.office == "BUPATI LOMBOK TIMUR" and lotim_heading.signer != "H. Lalu Fathul"
    )
    page = _login(province["admin"][LOBAR]).get("/pengaturan/sk/").content.decode()
    assert "H. Lalu Fathul" in page and "Bupati Lombok Barat" in page
    assert (
        "H. Lalu Fathul"
        not in _login(province["admin"][LOTIM]).get("/pengaturan/sk/").content.decode()
    )


def test_an_admins_home_shows_only_their_kabupatens_policy_and_scenarios(
    province: dict[str, Any],
) -> None:
    save_policy_version(by="test", data=_policy(LOBAR, 10**9), name="Perbup Lobar",
                        kabupaten=LOBAR)  # fmt: skip
    save_policy_version(by="test", data=_policy(LOTIM, 10**9), name="Perbup Lotim",
                        kabupaten=LOTIM)  # fmt: skip
    run_scenario(by="test", fiscal_year=2027, kabupaten=LOBAR, name="Skenario Lobar")

    home = _login(province["admin"][LOTIM]).get("/").content.decode()

    assert "Perbup Lotim" in home
    assert "Perbup Lobar" not in home and "Skenario Lobar" not in home


def test_the_registry_filter_of_a_province_lists_desa_of_the_chosen_kecamatan_only(
    province: dict[str, Any],
) -> None:
    client = _login(province["provinsi"])

    page = client.get("/pekerja/").content.decode()
    assert "Selong" in page and 'value="52.03.07.1001"' not in page  # kecamatan, no desa yet
    chosen = client.get("/pekerja/", {"kecamatan": "52.03.07"}).content.decode()
    assert 'value="52.03.07.1001"' in chosen and 'value="52.03.08.2001"' not in chosen
    # A link to one desa (from the dashboard) still filters by it.
    lobar_desa = province["desa"][LOBAR]
    listed = client.get("/pekerja/", {"desa": lobar_desa}).content.decode()
    assert province["workers"][LOBAR][0].name in listed
    assert province["workers"][LOTIM][0].name not in listed


def _registered_in_both(province: dict[str, Any], capture: Any) -> None:
    """Both kabupaten/kota's 2027 lists approved and their workers registered with BPJS, each
    under its own APBD wadah."""
    for code in (LOTIM, LOBAR):
        save_policy_version(by="test", data=_policy(code, 10**10), name=code, kabupaten=code)
        with capture(execute=True):
            approve(by="test", scenario=run_scenario(by="test", fiscal_year=2027, kabupaten=code))
        wadah = Wadah.objects.create(
            code=f"SG-APBD-{code}", name=f"APBD {code}", source="apbd", type_code="SG",
            kabupaten=code,
        )  # fmt: skip
        for p in Participation.objects.filter(beneficiary_list__kabupaten=code):
            p.state, p.kpj, p.wadah = State.TERDAFTAR, f"27{p.pk:09d}", wadah
            p.effective_from = datetime.date(2027, 1, 1)
            p.save()


def test_a_kabupatens_staff_see_and_bill_only_its_own_participants(
    province: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _registered_in_both(province, django_capture_on_commit_callbacks)
    lotim_staff = UserFactory(role=Role.OPERATOR_KABUPATEN, region_id=LOTIM)
    lobar_staff = UserFactory(role=Role.OPERATOR_KABUPATEN, region_id=LOBAR)
    lotim_workers = {w.pk for w in province["workers"][LOTIM]}

    seen = set(visible_participations(lotim_staff).values_list("worker_id", flat=True))
    assert seen == lotim_workers

    made = make_bills(by=lotim_staff, fiscal_year=2027)
    assert made and {bill.wadah.kabupaten for bill in made} == {LOTIM}
    assert list(visible_bills(lobar_staff)) == []
    assert set(visible_bills(lotim_staff)) == set(made)
    # The installation's staff bill the rest: Lombok Barat's, each wadah at its own policy.
    rest = make_bills(by=UserFactory(role=Role.OPERATOR_KABUPATEN), fiscal_year=2027)
    assert {bill.wadah.kabupaten for bill in rest} == {LOBAR}
    assert set(visible_bills(lobar_staff)) == set(rest)
