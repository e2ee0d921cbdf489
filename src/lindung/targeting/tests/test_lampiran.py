"""The lampiran of an approved list as the annex of the SK: its structure (heading, groups,
subtotals, signature), its files made once at approval and served, remade when the decree is
entered."""

import datetime
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pypdf
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lindung.accounts.models import User
from lindung.accounts.tests.factories import admin, operator_kecamatan
from lindung.audit.models import Event
from lindung.regions.models import Deployment, Region
from lindung.regions.services import update_decree_settings
from lindung.targeting import lampiran_files
from lindung.targeting.lampiran import (
    DOTS,
    Group,
    Line,
    Subtotal,
    grouped,
    lampiran_heading,
    write_lampiran_pdf,
    write_lampiran_xlsx,
)
from lindung.targeting.lampiran_files import path_of, request_files, set_decree
from lindung.targeting.models import Beneficiary, BeneficiaryList, FileStatus, LampiranFiles
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db

BORN = datetime.date(1980, 5, 28)


def _raw(kec: str, desa: str, name: str, cost: int = 100) -> tuple[Any, ...]:
    return (kec, desa, "5203" + "0" * 12, name, "L", BORN, "petani", "apbd", cost)


def test_rows_are_grouped_by_kecamatan_then_desa_with_subtotals_and_a_running_number() -> None:
    rows = [
        _raw("52.03.07", "52.03.07.2001", "Ahmad", 100),
        _raw("52.03.07", "52.03.07.2001", "Baiq", 200),
        _raw("52.03.07", "52.03.07.2002", "Lalu", 300),
        _raw("52.03.08", "52.03.08.2001", "Siti", 400),
    ]
    names = {"52.03.07": "Kecamatan Selong", "52.03.07.2001": "Desa A", "52.03.07.2002": "Desa B",
             "52.03.08": "Kecamatan Pringgabaya", "52.03.08.2001": "Desa C"}  # fmt: skip

    items = list(grouped(rows, names))

    shape = [(type(i).__name__, i.name if not isinstance(i, Line) else i.number) for i in items]
    assert shape == [
        ("Group", "Kecamatan Selong"), ("Group", "Desa A"), ("Line", 1), ("Line", 2),
        ("Subtotal", "Desa A"), ("Group", "Desa B"), ("Line", 3), ("Subtotal", "Desa B"),
        ("Subtotal", "Kecamatan Selong"), ("Group", "Kecamatan Pringgabaya"), ("Group", "Desa C"),
        ("Line", 4), ("Subtotal", "Desa C"), ("Subtotal", "Kecamatan Pringgabaya"),
        ("Subtotal", ""),
    ]  # fmt: skip
    subtotals = {(s.level, s.name): (s.workers, s.cost) for s in items if isinstance(s, Subtotal)}
    assert subtotals[("desa", "Desa A")] == (2, 300)
    assert subtotals[("kecamatan", "Kecamatan Selong")] == (3, 600)
    assert subtotals[("all", "")] == (4, 1000)
    assert [i.level for i in items if isinstance(i, Group)][:2] == ["kecamatan", "desa"]


def test_an_empty_list_has_only_its_total() -> None:
    assert list(grouped([], {})) == [Subtotal("all", "", 0, 0)]


def test_the_heading_prints_dots_until_the_decree_is_known(approved: BeneficiaryList) -> None:
    approved.decree = ""
    heading = lampiran_heading(approved)
    assert heading.number == DOTS and heading.date == DOTS and heading.signer == DOTS
    assert heading.office == "BUPATI LOMBOK TIMUR"
    assert heading.place_date == f"{DOTS}, {DOTS}"


def test_a_kota_deployment_says_wali_kota(approved: BeneficiaryList) -> None:
    deployment = Deployment.objects.get(pk=1)
    deployment.areas.set(Region.objects.filter(code="52.71"))  # Kota Mataram
    assert lampiran_heading(approved).office == "WALI KOTA MATARAM"
    update_decree_settings(by="test", head_title="Penjabat Wali Kota", head_name="",
                           signing_place="Mataram", decree_subject="")  # fmt: skip
    assert lampiran_heading(approved).office == "PENJABAT WALI KOTA MATARAM"


def _settings() -> None:
    update_decree_settings(
        by="test",
        head_title="",
        head_name="H. Haerul Warisin",
        signing_place="Selong",
        decree_subject="Penerima bantuan iuran BPJS Ketenagakerjaan",
    )


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(path).pages)


def test_the_pdf_has_the_heading_groups_subtotals_signature_and_no_user_name(
    approved: BeneficiaryList, registry: dict[str, Any], tmp_path: Path
) -> None:
    _settings()
    set_decree(by=admin(username="demo.admin"), approved=approved, number="188.45/7/2027",
               date=datetime.date(2027, 1, 15))  # fmt: skip
    approved.refresh_from_db()
    path = tmp_path / "lampiran.pdf"
    entries = Beneficiary.objects.filter(beneficiary_list=approved)

    with translation.override("id"):
        written = write_lampiran_pdf(approved, entries, path, show_nik=True)

    text = _pdf_text(path)
    assert written == 5
    assert "LAMPIRAN KEPUTUSAN BUPATI LOMBOK TIMUR" in text
    assert "NOMOR : 188.45/7/2027" in text and "TANGGAL : 15 Januari 2027" in text
    assert "TENTANG : PENERIMA BANTUAN IURAN BPJS KETENAGAKERJAAN" in text
    assert "Selong, 15 Januari 2027 BUPATI LOMBOK TIMUR, H. Haerul Warisin" in text
    assert text.index("KECAMATAN SELONG") < text.index("KECAMATAN PRINGGABAYA")  # code order
    assert "Jumlah Kecamatan Selong: 4 orang" in text
    assert "Jumlah: 5 orang" in text
    assert registry["poorest"].nik in text  # the NIK in full: every role that sees lists may
    assert "Halaman 1 dari" in text
    assert "demo.admin" not in text and "test" not in text.lower().split()
    info = pypdf.PdfReader(path).metadata
    assert info is not None and "demo.admin" not in str(dict(info))


def test_names_are_sorted_within_a_desa(approved: BeneficiaryList, tmp_path: Path) -> None:
    entries = Beneficiary.objects.filter(beneficiary_list=approved, kecamatan_id="52.03.07")
    path = tmp_path / "lampiran.xlsx"
    write_lampiran_xlsx(approved, entries, entries.none(), path, show_nik=True)  # type: ignore[arg-type]
    sheet = pl.read_excel(path, sheet_name="Lampiran", has_header=False, engine="calamine")
    desa = {e.desa_id for e in entries}
    niks = set(entries.values_list("nik", flat=True))
    names = [row[2] for row in sheet.iter_rows() if row[1] in niks]
    expected = sorted(entries.values_list("desa_id", "name"))
    assert len(desa) >= 1 and names == [name for _desa, name in expected]


def test_the_xlsx_has_the_same_structure_a_frozen_header_and_no_user_name(
    approved: BeneficiaryList, tmp_path: Path
) -> None:
    path = tmp_path / "lampiran.xlsx"
    entries = Beneficiary.objects.filter(beneficiary_list=approved)
    with translation.override("id"):
        written = write_lampiran_xlsx(approved, entries, entries.none(), path, show_nik=True)  # type: ignore[arg-type]

    sheet = pl.read_excel(path, sheet_name="Lampiran", has_header=False, engine="calamine")
    cells = [str(v) for row in sheet.iter_rows() for v in row if v is not None]
    assert written == 5
    assert cells[0] == "LAMPIRAN KEPUTUSAN BUPATI LOMBOK TIMUR"
    assert "NOMOR : 188.45/7/2027" in cells and f"TANGGAL : {DOTS}" in cells
    assert "KECAMATAN SELONG" in cells and "Jumlah Kecamatan Selong: 4 orang" in cells
    assert "Jumlah: 5 orang" in cells and "BUPATI LOMBOK TIMUR," in cells
    with zipfile.ZipFile(path) as book:
        sheet_xml = book.read("xl/worksheets/sheet1.xml").decode()
        core = book.read("docProps/core.xml").decode()
        shared = (
            book.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in book.namelist()
            else ""
        )
    assert "<pane " in sheet_xml and 'state="frozen"' in sheet_xml
    assert "<dc:creator>Bupati Lombok Timur</dc:creator>" in core
    assert "test" not in core and "test" not in shared.split(">")


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


def test_the_files_are_made_at_approval_and_served_without_being_made_again(
    approved: BeneficiaryList, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = LampiranFiles.objects.get(beneficiary_list=approved)
    assert files.status == FileStatus.READY and files.scope == "" and files.rows == 5
    assert path_of(files, ".pdf").is_file() and path_of(files, ".xlsx").is_file()
    made_at = files.made_at

    def refuse(files_id: int) -> None:
        raise AssertionError("made again")

    monkeypatch.setattr(lampiran_files, "make_files", refuse)
    client = _client(admin())
    page = client.get(reverse("targeting:list-detail", args=[approved.number])).content.decode()
    pdf = client.get(reverse("targeting:list-pdf", args=[approved.number]))

    assert 'data-testid="list-pdf"' in page and 'data-status="ready"' in page
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    files.refresh_from_db()
    assert files.made_at == made_at and LampiranFiles.objects.count() == 1
    assert Event.objects.filter(action="list_exported", after__rows=5).count() == 1


def test_a_download_never_waits_it_shows_the_progress(
    approved: BeneficiaryList, django_capture_on_commit_callbacks: Any
) -> None:
    LampiranFiles.objects.all().delete()  # a list approved before the files were kept
    client = _client(admin())
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(reverse("targeting:list-xlsx", args=[approved.number]))
        page = client.get(reverse("targeting:list-files", args=[approved.number]))

    assert response.status_code == 302 and response["Location"].endswith("#lampiran")
    html = page.content.decode()
    assert 'data-testid="lampiran-progress"' in html and 'hx-trigger="every 1s"' in html
    assert len(queued) == 1  # one job, however often asked
    assert not Event.objects.filter(action="list_exported").exists()


def test_an_area_operator_gets_their_wilayahs_extract_made_on_demand(
    approved: BeneficiaryList, registry: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = operator_kecamatan("52.03.08")
    with django_capture_on_commit_callbacks(execute=True):
        files = request_files(approved, user=user)
    files.refresh_from_db()

    assert files.scope == "52.03.08" and files.status == FileStatus.READY and files.rows == 1
    text = _pdf_text(path_of(files, ".pdf"))
    assert registry["pringgabaya"].nik in text and registry["poorest"].nik not in text
    assert "Petikan untuk Kecamatan Pringgabaya" in text


def test_entering_the_decree_is_audited_and_makes_the_files_again(
    approved: BeneficiaryList, django_capture_on_commit_callbacks: Any
) -> None:
    before = LampiranFiles.objects.get(beneficiary_list=approved)
    client = _client(admin())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("targeting:list-decree", args=[approved.number]),
            {"decree": "188.45/99/2027", "decree_date": "2027-01-15", "decree_subject": ""},
        )

    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.decree == "188.45/99/2027" and approved.decree_date == datetime.date(
        2027, 1, 15
    )
    event = Event.objects.get(action="list_decree_set")
    assert event.before == {"decree": "188.45/7/2027", "decree_date": None, "decree_heading": {}}
    assert event.after == {
        "decree": "188.45/99/2027",
        "decree_date": "2027-01-15",
        "decree_heading": {"office": "Bupati Lombok Timur", "signer": "", "place": "",
                           "subject": ""},
    }  # fmt: skip
    files = LampiranFiles.objects.get(beneficiary_list=approved)
    assert files.status == FileStatus.READY and files.made_at > before.made_at
    assert files.fingerprint != before.fingerprint
    assert "NOMOR : 188.45/99/2027" in _pdf_text(path_of(files, ".pdf"))


def test_only_an_approver_may_enter_the_decree(approved: BeneficiaryList) -> None:
    response = _client(operator_kecamatan("52.03.07")).post(
        reverse("targeting:list-decree", args=[approved.number]), {"decree": "x"}
    )
    assert response.status_code == 403
    assert not Event.objects.filter(action="list_decree_set").exists()


def test_changed_decree_settings_make_the_files_again_when_next_asked(
    approved: BeneficiaryList, django_capture_on_commit_callbacks: Any
) -> None:
    _settings()
    event = Event.objects.get(action="decree_settings_changed")
    assert event.after["signing_place"] == "Selong"
    with django_capture_on_commit_callbacks(execute=True):
        files = request_files(approved)
    files.refresh_from_db()
    assert "Selong, " in _pdf_text(path_of(files, ".pdf"))


def test_an_admin_edits_the_decree_settings_on_their_page() -> None:
    client = _client(admin())
    url = reverse("regions:decree-settings")
    assert client.get(url).status_code == 200
    response = client.post(url, {"head_title": "", "head_name": "H. Haerul Warisin",
                                 "signing_place": "Selong", "decree_subject": ""})  # fmt: skip
    assert response.status_code == 302
    assert Deployment.objects.get(pk=1).head_name == "H. Haerul Warisin"
    assert Event.objects.filter(action="decree_settings_changed").count() == 1
    assert _client(operator_kecamatan("52.03.07")).get(url).status_code == 403


def test_a_signed_decree_keeps_the_settings_of_its_day(approved: BeneficiaryList) -> None:
    _settings()
    set_decree(by="test", approved=approved, number="188.45/7/2027",
               date=datetime.date(2027, 1, 15))  # fmt: skip
    update_decree_settings(by="test", head_title="", head_name="Bupati Berikutnya",
                           signing_place="Selong", decree_subject="")  # fmt: skip
    approved.refresh_from_db()
    assert lampiran_heading(approved).signer == "H. Haerul Warisin"
    set_decree(by="test", approved=approved, number="188.45/7/2027", date=None)  # unsigned again
    approved.refresh_from_db()
    assert lampiran_heading(approved).signer == "Bupati Berikutnya"
