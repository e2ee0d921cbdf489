"""The lampiran SK Bupati as PDF, read back with pypdf."""

from pathlib import Path

import pypdf

from lindung.pdf import Rupiah, printable
from lindung.targeting.pdf import write_list_pdf

HEADER = ["No", "NIK", "Nama", "L/P", "Tanggal lahir", "Pekerjaan", "Desa", "Kecamatan", "Sumber"]
NAME = "Ṣalāḥ Đức Baiq Nurul 王"  # beyond Latin-1, and a character DejaVu lacks too


def _row(number: int, name: str = "Lalu Ahmad") -> list[str | int]:
    nik = f"5203{number:012d}"
    return [number, nik, name, "L", "28 Mei 1980", "Petani", "Sukamaju", "Selong", "APBD"]


def _write(path: Path, rows: list[list[str | int]]) -> int:
    return write_list_pdf(
        path,
        title="Lampiran Keputusan Bupati Lombok Timur Nomor 100/2027",
        subtitle_lines=["Daftar penerima versi 2", "Tahun anggaran 2027"],
        header=HEADER,
        rows=iter(rows),
        totals=[
            (
                "Jumlah per sumber dana",
                ["Sumber dana", "Pekerja", "Iuran"],
                [
                    ["APBD", 2, Rupiah(403_200)],
                    ["DBHCHT", 1, Rupiah(201_600)],
                    ["Jumlah", 3, Rupiah(604_800)],
                ],
            ),
            ("Jumlah per kecamatan", ["Kecamatan", "Pekerja"], [["Selong", 3], ["Jumlah", 3]]),
        ],
        signature=["Bupati Lombok Timur", "", "", "H. M. Sukiman Azmy"],
    )


def _pages(path: Path) -> list[str]:
    """Each page's text with whitespace runs as one space."""
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]


def test_it_writes_the_rows_the_totals_and_the_signature(tmp_path: Path) -> None:
    path = tmp_path / "lampiran.pdf"
    written = _write(path, [_row(1), _row(2, NAME), _row(1_000_000)])
    text = " ".join(_pages(path))
    assert written == 3
    assert "Lampiran Keputusan Bupati Lombok Timur Nomor 100/2027" in text
    assert "Daftar penerima versi 2" in text
    assert "1 5203000000000001 Lalu Ahmad L 28 Mei 1980 Petani Sukamaju Selong APBD" in text
    assert "1.000.000 5203000001000000" in text
    assert "Jumlah per sumber dana" in text
    assert "APBD 2 Rp403.200" in text
    assert "Jumlah 3 Rp604.800" in text
    assert "Jumlah per kecamatan" in text
    assert "Bupati Lombok Timur" in text
    assert "H. M. Sukiman Azmy" in text


def test_it_replaces_characters_the_font_cannot_show_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "lampiran.pdf"
    _write(path, [_row(1, NAME)])
    shown = printable(NAME)
    assert shown.endswith(" ?")  # no font here has the CJK character
    assert shown.startswith(("Ṣalāḥ Đức", "Salah Đuc", "Salah ?uc"))  # DejaVu, or Helvetica
    assert shown in " ".join(_pages(path))


def test_a_long_list_repeats_the_header_and_numbers_the_pages(tmp_path: Path) -> None:
    path = tmp_path / "lampiran.pdf"
    written = _write(path, [_row(n) for n in range(1, 151)])
    pages = _pages(path)
    assert written == 150
    assert len(pages) >= 4
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Lampiran Keputusan Bupati Lombok Timur Nomor 100/2027" in text  # header line
    table_pages = [text for text in pages if "5203" in text]
    assert len(table_pages) >= 4
    for text in table_pages:
        assert "No NIK Nama L/P Tanggal lahir Pekerjaan Desa Kecamatan Sumber" in text
    assert "150 5203000000000150" in pages[-1] or "150 5203000000000150" in pages[-2]


def test_a_long_name_wraps_instead_of_being_cut(tmp_path: Path) -> None:
    path = tmp_path / "lampiran.pdf"
    long_name = " ".join(["Muhammadiyah"] * 30)
    _write(path, [_row(1, long_name)])
    assert " ".join(_pages(path)).count("Muhammadiyah") == 30
