"""The worker import's table: the header names operators write, the worker wording of the
messages. How files are read is tested in lindung/sheets/tests/test_read.py. No database."""

from pathlib import Path

import pytest
from django.utils import translation

from lindung.registry.pipeline import FIELDS
from lindung.registry.pipeline.read import WORKERS, read_table
from lindung.sheets import ReadError
from lindung.sheets.tests.files import write_csv

NIK_ANI = "5203014101900002"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (text, field)
        for field, texts in {
            "nik": ["NIK", "No. KTP", "No KTP", "Nomor KTP", "Nomor Induk Kependudukan", "NIK KTP"],
            "no_kk": ["No KK", "No. KK", "NKK", "Nomor KK", "Nomor Kartu Keluarga", "KK"],
            "name": [
                "Nama",
                "NAMA LENGKAP",
                "Nama Pekerja",
                "Nama Peserta",
                "Nama Sesuai KTP",
                "Nama Tenaga Kerja",
            ],
            "sex": [
                "JK",
                "L/P",
                "Jenis Kelamin",
                "Kelamin",
                "Sex",
                "Gender",
                "Jenis Kelamin (L/P)",
            ],
            "birth_date": ["Tgl Lahir", "Tanggal Lahir", "Tgl. Lahir", "TTL Tanggal"],
            "birth_place": ["Tempat Lahir", "Tmp Lahir", "Tmpt Lahir"],
            "birth_place_date": [
                "Tempat, Tgl Lahir",
                "Tempat/Tanggal Lahir",
                "TTL",
                "Tempat Tanggal Lahir",
            ],
            "phone": ["No HP", "No. HP", "HP", "No Telp", "Telepon", "No WA", "Nomor HP"],
            "address": ["Alamat", "Alamat Lengkap", "Dusun", "Alamat/Dusun"],
            "desa": [
                "Desa",
                "Kelurahan",
                "Desa/Kel",
                "Desa/Kelurahan",
                "Kel/Desa",
                "Nama Desa",
                "Kode Desa",
            ],
            "kecamatan": ["Kecamatan", "Kec", "Kec.", "Nama Kecamatan", "Kode Kecamatan"],
            "kabupaten": ["Kabupaten", "Kab", "Kabupaten/Kota"],
            "occupation": ["Pekerjaan", "Jenis Pekerjaan", "Profesi", "Mata Pencaharian"],
            "income": [
                "Penghasilan",
                "Pendapatan",
                "Penghasilan per Bulan",
                "Penghasilan (Rp)",
                "Pendapatan/Bulan",
            ],
            "desil": ["Desil", "Desil Kesejahteraan", "Peringkat Desil"],
            "disability": ["Disabilitas", "Penyandang Disabilitas", "Difabel"],
            "female_head": ["Perempuan Kepala Keluarga", "PEKKA", "KK Perempuan"],
        }.items()
        for text in texts
    ],
)
def test_it_recognises_the_common_header_names(tmp_path: Path, header: str, field: str) -> None:
    headers = {"nik": "NIK", "name": "Nama", "other": "Keterangan"}
    headers["other" if field not in headers else field] = header
    path = write_csv(tmp_path / "f.csv", ";".join(headers.values()) + f"\n{NIK_ANI};Ani;x\n")

    sheet = read_table(path)

    assert sheet.columns[field] == header


def test_it_reads_every_worker_field_in_fields_order(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", f"NIK;Nama\n{NIK_ANI};Ani\n")

    sheet = read_table(path)

    assert WORKERS.fields == FIELDS
    assert sheet.frame.columns == [*FIELDS, "_row", "_nik_numeric"]


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"NIK;Nama\n", "FILE_EMPTY", "no worker rows"),
        (b"Ani;Budi\n", "HEADER_NOT_FOUND", "at least NIK and Nama"),
        (b"%PDF-1.4\n", "FORMAT_UNKNOWN", "Save the worker list"),
    ],
)
def test_it_speaks_of_workers_in_its_messages(
    tmp_path: Path, content: bytes, code: str, words: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)

    with pytest.raises(ReadError) as caught, translation.override("en"):
        read_table(path)

    assert caught.value.code == code
    assert words in caught.value.message
