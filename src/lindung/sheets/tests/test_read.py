"""read_table: lists in XLSX, XLS, ODS and CSV into the text columns of a table. No database.

Most tests read a worker-like list through `PEOPLE`, a small table of their own; the worker
import's table and its header names are tested in registry/tests/test_read.py."""

import datetime
import struct
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from django.utils import translation

from lindung import sheets
from lindung.sheets import Limits, ReadError, Sheet, Table, biff
from lindung.sheets.tests.files import (
    biff_record,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)

NIK_ANI = "5203014101900002"
NIK_BUDI = "5203012805800003"

PEOPLE = Table(
    aliases={
        "nik": ("NIK", "No. KTP", "Nomor KTP", "Nomor Induk Kependudukan"),
        "no_kk": ("No. KK", "Nomor KK"),
        "name": ("Nama", "Nama Lengkap", "Nama Pekerja"),
        "sex": ("Jenis Kelamin", "JK", "L/P"),
        "birth_place": ("Tempat Lahir", "Tmp Lahir"),
        "birth_date": ("Tanggal Lahir", "Tgl Lahir"),
        "phone": ("No. HP", "HP", "Telepon"),
        "address": ("Alamat", "Dusun"),
        "desa": ("Desa", "Kelurahan"),
        "income": ("Penghasilan", "Pendapatan"),
        "desil": ("Desil",),
        "disability": ("Disabilitas",),
    },
    required=("nik", "name"),
    identifiers=("nik",),
    labels={"nik": "NIK", "name": "Nama"},
)
FIELDS = PEOPLE.fields


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    limits: Limits = sheets.DEFAULT_LIMITS,
    progress: sheets.Progress | None = None,
) -> Sheet:
    """A list read with PEOPLE."""
    return sheets.read_table(path, PEOPLE, sheet=sheet, limits=limits, progress=progress)


def worker_list(path: Path) -> Path:
    """The typical kabupaten file: merged title, blank row, header on row 4, a numeric NIK, a
    date, a formula, an unnamed column, blank numbered rows, a JUMLAH row and a signature."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Pekerja BPU")
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    sheet.merge_range("A1:G1", "DAFTAR PEKERJA BUKAN PENERIMA UPAH")
    sheet.merge_range("A2:G2", "DESA SURALAGA KECAMATAN SURALAGA")
    sheet.write_row(3, 0, ["No", "NIK", "Nama Lengkap", "Tgl. Lahir", "L/P", "Penghasilan (Rp)"])
    sheet.write_row(3, 7, ["Keterangan"])
    sheet.write_row(4, 0, [1, NIK_ANI, "  Baiq Ani  "])
    sheet.write_datetime(4, 3, datetime.date(1990, 1, 1), date)
    sheet.write_row(4, 4, ["P", 1_500_000, "catatan"])
    sheet.write_number(5, 0, 2)
    sheet.write_number(5, 1, 5203012805800000)  # typed as a number: Excel kept 15 digits
    sheet.write_string(5, 2, "Lalu Budi")
    sheet.write_datetime(5, 3, datetime.date(1980, 5, 28), date)
    sheet.write_formula(5, 5, "=F5*2", None, 3_000_000)
    sheet.write_number(6, 0, 3)  # numbered, nothing else: blank
    sheet.write_row(8, 0, ["JUMLAH", None, None, None, None, 4_500_000])
    sheet.write(10, 4, "Mengetahui,")
    sheet.write(11, 4, "Kepala Desa Suralaga")
    sheet.write(14, 2, "H. MUHAMMAD")
    workbook.close()
    return path


# --- spreadsheets -----------------------------------------------------------------------------


def test_it_finds_the_header_below_title_rows_and_reads_the_workers(tmp_path: Path) -> None:
    sheet = read_table(worker_list(tmp_path / "daftar.xlsx"))

    assert sheet.file_format == "xlsx"
    assert sheet.sheet_name == "Pekerja BPU"
    assert sheet.header_row == 4
    assert sheet.columns == {
        "nik": "NIK",
        "name": "Nama Lengkap",
        "sex": "L/P",
        "birth_date": "Tgl. Lahir",
        "income": "Penghasilan (Rp)",
    }
    assert sheet.frame.columns == [*FIELDS, "_row", "_nik_numeric"]
    assert all(sheet.frame.schema[name] == pl.String for name in FIELDS)
    assert sheet.frame.select("nik", "name", "birth_date", "income", "_row").rows() == [
        (NIK_ANI, "Baiq Ani", "1990-01-01", "1500000", 5),
        ("5203012805800000", "Lalu Budi", "1980-05-28", "3000000", 6),
    ]
    assert sheet.frame.get_column("phone").to_list() == [None, None]


def test_it_marks_a_nik_typed_as_a_number(tmp_path: Path) -> None:
    sheet = read_table(worker_list(tmp_path / "daftar.xlsx"))

    assert sheet.frame.get_column("_nik_numeric").to_list() == [False, True]
    assert sheet.frame.schema["_nik_numeric"] == pl.Boolean
    assert sheet.frame.schema["_row"] == pl.Int64


def test_it_keeps_the_cached_value_of_a_formula(tmp_path: Path) -> None:
    sheet = read_table(worker_list(tmp_path / "daftar.xlsx"))

    assert sheet.frame.get_column("income").to_list()[1] == "3000000"


def test_it_skips_blank_numbered_footer_and_signature_rows(tmp_path: Path) -> None:
    sheet = read_table(worker_list(tmp_path / "daftar.xlsx"))

    assert sheet.frame.height == 2
    # rows 7 (numbered only), 8 and 10 (blank), 9 (JUMLAH), 11 to 15 (signature block)
    assert sheet.rows_skipped == 9


def test_it_keeps_every_original_column_under_its_header(tmp_path: Path) -> None:
    sheet = read_table(worker_list(tmp_path / "daftar.xlsx"))

    assert sheet.original.columns == [
        "No",
        "NIK",
        "Nama Lengkap",
        "Tgl. Lahir",
        "L/P",
        "Penghasilan (Rp)",
        "Kolom G",
        "Keterangan",
        "_row",
    ]
    assert sheet.original.row(0) == (
        "1",
        NIK_ANI,
        "Baiq Ani",
        "1990-01-01",
        "P",
        "1500000",
        "catatan",
        None,
        5,
    )


def test_it_names_repeated_and_empty_headers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        [
            ["NIK", "Nama", "Nama", None, "Desa"],
            [NIK_ANI, "Ani", "Baiq Ani", "x", "Suralaga"],
        ],
    )

    sheet = read_table(path)

    assert sheet.original.columns == ["NIK", "Nama", "Nama (2)", "Kolom D", "Desa", "_row"]
    assert sheet.frame.get_column("name").to_list() == ["Ani"]


def test_it_numbers_rows_and_columns_as_excel_shows_them_when_the_table_starts_further_in(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(4, 2, ["NIK", "Nama", None, "Desa"])  # C5
    sheet.write_row(5, 2, [NIK_ANI, "Ani", "x", "Suralaga"])
    sheet.write_row(7, 2, [NIK_BUDI, "Budi"])
    workbook.close()

    read = read_table(path)

    assert read.header_row == 5
    assert read.frame.get_column("_row").to_list() == [6, 8]
    assert read.original.columns == ["NIK", "Nama", "Kolom E", "Desa", "_row"]


def test_it_writes_cells_as_text_without_losing_digits(tmp_path: Path) -> None:
    path = tmp_path / "types.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    stamp = workbook.add_format({"num_format": "dd-mm-yyyy hh:mm"})
    sheet.write_row(0, 0, ["NIK", "Nama", "Penghasilan", "Desil", "Disabilitas", "Tgl Lahir"])
    sheet.write_row(1, 0, [5203011234567890, "Ani", 1500000.0, 1.5, True])
    sheet.write_datetime(1, 5, datetime.date(1980, 5, 28), stamp)
    sheet.write_row(2, 0, [1e20, "Budi", 0, -2, False])
    afternoon = datetime.datetime(1980, 5, 28, 13, 5)  # noqa: DTZ001 (cells have no time zone)
    sheet.write_datetime(2, 5, afternoon, stamp)
    workbook.close()

    frame = read_table(path).frame

    assert frame.select("nik", "income", "desil", "disability", "birth_date").rows() == [
        ("5203011234567890", "1500000", "1.5", "TRUE", "1980-05-28"),
        ("100000000000000000000", "0", "-2", "FALSE", "1980-05-28T13:05:00"),
    ]


def test_it_reads_a_two_row_header_with_lahir_over_tempat_and_tanggal(tmp_path: Path) -> None:
    path = tmp_path / "dua-baris.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write(0, 0, "DATA PEKERJA")
    for column, text in enumerate(["No", "NIK", "Nama"]):
        sheet.merge_range(2, column, 3, column, text)
    sheet.merge_range(2, 3, 2, 4, "Lahir")
    sheet.write_row(3, 3, ["Tempat", "Tanggal"])
    sheet.merge_range(2, 5, 3, 5, "Desa")
    sheet.write_row(4, 0, [1, NIK_ANI, "Ani", "Selong", "01-01-1990", "Suralaga"])
    workbook.close()

    read = read_table(path)

    assert read.header_row == 3
    assert read.columns["birth_place"] == "Lahir / Tempat"
    assert read.columns["birth_date"] == "Lahir / Tanggal"
    assert read.frame.select("nik", "birth_place", "birth_date", "desa", "_row").rows() == [
        (NIK_ANI, "Selong", "01-01-1990", "Suralaga", 5)
    ]


def test_it_reads_the_first_visible_sheet_that_has_a_header(tmp_path: Path) -> None:
    path = tmp_path / "sheets.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Petunjuk").write(0, 0, "Isi data mulai baris 2")
    hidden = workbook.add_worksheet("Lama")
    hidden.write_row(0, 0, ["NIK", "Nama"])
    hidden.write_row(1, 0, [NIK_BUDI, "Budi"])
    hidden.hide()
    data = workbook.add_worksheet("Data")
    data.write_row(0, 0, ["NIK", "Nama"])
    data.write_row(1, 0, [NIK_ANI, "Ani"])
    workbook.close()

    assert read_table(path).sheet_name == "Data"
    assert read_table(path, sheet="Lama").frame.get_column("nik").to_list() == [NIK_BUDI]


def test_it_lists_the_sheets_when_the_named_one_is_missing(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [["NIK", "Nama"], [NIK_ANI, "Ani"]])

    with pytest.raises(ReadError) as caught:
        read_table(path, sheet="Sheet9")

    assert caught.value.code == "SHEET_NOT_FOUND"
    assert caught.value.found == ["Pekerja"]
    assert "Pekerja" in caught.value.message


def test_it_reads_an_ods_file(tmp_path: Path) -> None:
    path = write_ods(
        tmp_path / "daftar.ods",
        [
            ["DAFTAR PEKERJA"],
            [],
            ["NIK", "Nama", "Tanggal Lahir"],
            [5203011234560000, "Ani", datetime.date(1990, 1, 1)],
            [NIK_BUDI, "Budi", None],
        ],
    )

    sheet = read_table(path)

    assert sheet.file_format == "ods"
    assert sheet.header_row == 3
    assert sheet.frame.select("nik", "name", "birth_date", "_row", "_nik_numeric").rows() == [
        ("5203011234560000", "Ani", "1990-01-01", 4, True),
        (NIK_BUDI, "Budi", None, 5, False),
    ]


def test_it_reads_an_xls_file(tmp_path: Path) -> None:
    path = write_xls(
        tmp_path / "daftar.xls",
        [
            ["DAFTAR PEKERJA"],
            [],
            ["No", "NIK", "Nama", "Tgl Lahir"],
            [1, 5203011234560000, "Ani", datetime.date(1990, 1, 1)],
            [2, NIK_BUDI, "Budi"],
        ],
    )

    sheet = read_table(path)

    assert sheet.file_format == "xls"
    assert sheet.frame.select("nik", "name", "birth_date", "_row", "_nik_numeric").rows() == [
        ("5203011234560000", "Ani", "1990-01-01", 4, True),
        (NIK_BUDI, "Budi", None, 5, False),
    ]


def test_it_goes_by_the_content_not_the_file_name(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "daftar.csv", [["NIK", "Nama"], [NIK_ANI, "Ani"]])

    assert read_table(path).file_format == "xlsx"


def test_it_reports_progress(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []

    read_table(
        worker_list(tmp_path / "f.xlsx"), progress=lambda done, total: calls.append((done, total))
    )

    assert calls and calls[-1][0] == calls[-1][1]


# --- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text_encoding", "delimiter"),
    [
        ("utf-8", "utf-8", ","),
        ("utf-8-sig", "utf-8-sig", ";"),
        ("cp1252", "cp1252", ";"),
        ("utf-8", "utf-8", "\t"),
        ("utf-16", "utf-16", "\t"),
    ],
)
def test_it_detects_the_encoding_and_delimiter_of_a_csv(
    tmp_path: Path, encoding: str, text_encoding: str, delimiter: str
) -> None:
    rows = [
        ["DAFTAR PEKERJA, DESA SURALAGA"],
        [],
        ["No", "NIK", "Nama", "Alamat"],
        ["1", NIK_ANI, "José Ñ", "Dusun Lauk, RT 01"],
    ]
    text = "\r\n".join(
        delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in row) for row in rows
    )
    path = write_csv(tmp_path / "f.csv", text + "\r\n", text_encoding)

    sheet = read_table(path)

    assert (sheet.file_format, sheet.encoding, sheet.delimiter) == ("csv", encoding, delimiter)
    assert sheet.header_row == 3
    assert sheet.frame.select("nik", "name", "address", "_row").rows() == [
        (NIK_ANI, "José Ñ", "Dusun Lauk, RT 01", 4)
    ]


def test_it_reads_quoted_csv_fields_with_delimiters_newlines_and_ragged_rows(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        "DAFTAR\n"
        "NIK;Nama;Alamat;Desa\n"
        f'{NIK_ANI};"Ani; Baiq";"Dusun A\nRT 01";Suralaga\n'
        f"{NIK_BUDI};Budi\n"
        "5203011234567890;Cici;Selong;Sakra;lebih;lagi\n",
    )

    sheet = read_table(path)

    assert sheet.frame.select("name", "address", "desa").rows() == [
        ("Ani; Baiq", "Dusun A\nRT 01", "Suralaga"),
        ("Budi", None, None),
        ("Cici", "Selong", "Sakra"),
    ]


def test_it_marks_a_csv_nik_that_excel_wrote_as_a_number(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        f"NIK;Nama\n5,20301E+15;Ani\n5.20301E+15;Budi\n{NIK_ANI};Cici\n5203011234560000;Dedi\n",
    )

    sheet = read_table(path)

    assert sheet.frame.get_column("nik").to_list()[:2] == ["5,20301E+15", "5.20301E+15"]
    assert sheet.frame.get_column("_nik_numeric").to_list() == [True, True, False, False]


def test_it_numbers_csv_rows_as_the_line_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        f"Daftar\n\nNIK,Nama,JK\n{NIK_ANI},Ani,P\n\n,,\n{NIK_BUDI},Budi,L\nTOTAL,,\n",
    )

    sheet = read_table(path)

    assert sheet.frame.get_column("_row").to_list() == [4, 7]
    assert sheet.rows_skipped == 3


def test_it_skips_totals_and_signature_blocks_below_the_list(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        "No;NIK;Nama;Desa\n"
        f"1;{NIK_ANI};Ani;Suralaga\n"
        ";;SUBTOTAL;\n"
        f"2;{NIK_BUDI};Budi;Sakra\n"
        "3;;Cici;Sakra\n"
        "Jumlah Total;;;\n"
        ";;Selong, 12 Mei 2024;\n"
        "; ;Kepala Desa;\n"
        ";;;\n"
        ";;(H. MUHAMMAD);\n"
        ";;NIP. 19700101;\n",
    )

    sheet = read_table(path)

    assert sheet.frame.get_column("name").to_list() == ["Ani", "Budi", "Cici"]
    assert sheet.rows_skipped == 7


# --- errors -----------------------------------------------------------------------------------


def test_it_lists_the_columns_found_and_expected_when_the_nik_column_is_missing(
    tmp_path: Path,
) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        [["DAFTAR"], ["No", "Nama", "Alamat", "Desa"], [1, "Ani", "Dusun A", "Suralaga"]],
    )

    with pytest.raises(ReadError) as caught, translation.override("en"):
        read_table(path)

    error = caught.value
    assert error.code == "COLUMNS_MISSING"
    assert error.found == ["No", "Nama", "Alamat", "Desa"]
    assert error.expected == ["NIK"]
    assert "No, Nama, Alamat, Desa" in error.message
    assert "NIK" in error.message


def test_it_asks_for_a_header_row_when_none_is_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", f"{NIK_ANI};Ani\n{NIK_BUDI};Budi\n")

    with pytest.raises(ReadError) as caught:
        read_table(path)

    assert caught.value.code == "HEADER_NOT_FOUND"
    assert caught.value.expected == ["NIK", "Nama"]


def test_it_rejects_a_password_protected_xlsx(tmp_path: Path) -> None:
    # Excel stores an encrypted workbook as an OLE2 file with EncryptionInfo/EncryptedPackage.
    path = tmp_path / "rahasia.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(1016)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(2000)
    )

    with pytest.raises(ReadError) as caught, translation.override("en"):
        read_table(path)

    assert caught.value.code == "FILE_ENCRYPTED"
    assert "remove the password" in caught.value.message


def test_it_rejects_a_password_protected_xls(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "f.xls", [["NIK", "Nama"], [NIK_ANI, "Ani"]], password=True)

    with pytest.raises(ReadError) as caught:
        read_table(path)

    assert caught.value.code == "FILE_ENCRYPTED"


def test_it_rejects_a_corrupt_zip(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", [["NIK", "Nama"], [NIK_ANI, "Ani"]])
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(whole.read_bytes()[:1500])

    with pytest.raises(ReadError) as caught:
        read_table(path)

    assert caught.value.code == "FILE_CORRUPT"


def test_it_rejects_a_member_that_unpacks_far_beyond_its_size(tmp_path: Path) -> None:
    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(40 * 1024 * 1024))  # ratio ~1000

    with pytest.raises(ReadError) as caught:
        read_table(path)

    assert caught.value.code == "ZIP_BOMB"


def test_it_rejects_a_zip_declaring_a_huge_size_before_unpacking_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [["NIK", "Nama"], [NIK_ANI, "Ani"]])
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # first central directory record
    data[entry + 24 : entry + 28] = struct.pack("<I", 0xFFFFFFF0)  # uncompressed size: ~4 GiB
    path.write_bytes(bytes(data))

    with pytest.raises(ReadError) as caught:
        read_table(path)

    assert caught.value.code == "ZIP_BOMB"


def test_it_rejects_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", f"NIK;Nama\n{NIK_ANI};Ani\n")

    with pytest.raises(ReadError) as caught:
        read_table(path, limits=Limits(max_file_bytes=10))

    assert caught.value.code == "FILE_TOO_LARGE"


def test_it_asks_to_split_a_file_over_the_row_limit(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", f"NIK;Nama\n{NIK_ANI};Ani\n{NIK_BUDI};Budi\n")

    with pytest.raises(ReadError) as caught, translation.override("en"):
        read_table(path, limits=Limits(max_rows=1))

    assert caught.value.code == "TOO_MANY_ROWS"
    assert "Split the list" in caught.value.message


@pytest.mark.parametrize("content", [b"", b"NIK;Nama\n", b"NIK;Nama\n;\n\n"])
def test_it_rejects_a_file_without_workers(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)

    with pytest.raises(ReadError) as caught:
        read_table(path)

    assert caught.value.code == "FILE_EMPTY"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n...",
        b"<html><body><table><tr><td>NIK</td></tr></table></body></html>",
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
)
def test_it_rejects_what_is_not_a_spreadsheet(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "f.xls"
    path.write_bytes(content)

    with pytest.raises(ReadError) as caught:
        read_table(path)

    assert caught.value.code == "FORMAT_UNKNOWN"


def test_it_rejects_a_zip_that_is_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")

    with pytest.raises(ReadError) as caught:
        read_table(path)

    assert caught.value.code == "FORMAT_UNKNOWN"


# --- XLS: how far the cells reach, from the BIFF records ---------------------------------------


def _biff_sheet(*records: bytes, name: str = "Pekerja") -> bytes:
    """A Workbook stream of one sheet holding `records`, for biff.sheet_extents."""
    bof = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 6))
    label = struct.pack("<BB", len(name), 0) + name.encode("latin-1")
    globals_ = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 6))
    sheet_at = len(globals_) + 4 + 6 + len(label) + 4
    globals_ += biff_record(0x0085, struct.pack("<IBB", sheet_at, 0, 0) + label)
    return globals_ + biff_record(0x000A) + bof + b"".join(records) + biff_record(0x000A)


_CELL_RECORDS = {
    "LabelSst": biff_record(0x00FD, struct.pack("<HHHI", 9, 30, 0, 0)),
    "Label": biff_record(0x0204, struct.pack("<HHHHB", 9, 30, 0, 1, 0) + b"x"),
    "Number": biff_record(0x0203, struct.pack("<HHHd", 9, 30, 0, 1.5)),
    "Rk": biff_record(0x027E, struct.pack("<HHHI", 9, 30, 0, 2)),
    # columns 28 to 30: three RK values, then the last column
    "MulRk": biff_record(
        0x00BD, struct.pack("<HH", 9, 28) + struct.pack("<HI", 0, 2) * 3 + b"\x1e\0"
    ),
    "BoolErr": biff_record(0x0205, struct.pack("<HHHBB", 9, 30, 0, 1, 0)),
    "Formula": biff_record(0x0006, struct.pack("<HHHdHIH", 9, 30, 0, 3.0, 0, 0, 0)),
    "RString": biff_record(0x00D6, struct.pack("<HHHHB", 9, 30, 0, 1, 0) + b"x\0\0"),
}


@pytest.mark.parametrize("record", _CELL_RECORDS.values(), ids=_CELL_RECORDS.keys())
def test_it_finds_the_farthest_xls_cell_of_each_kind_of_cell_record(record: bytes) -> None:
    near = biff_record(0x0203, struct.pack("<HHHd", 1, 2, 0, 1.0))

    (sheet,) = biff.sheet_extents(_biff_sheet(near, record, near, name="Data"))

    assert (sheet.name, sheet.rows, sheet.columns) == ("Data", 10, 31)


def test_it_ignores_xls_cells_that_only_carry_formatting() -> None:
    blank = biff_record(0x0201, struct.pack("<HHH", 65_535, 255, 0))
    mulblank = biff_record(0x00BE, struct.pack("<HHHHH", 60_000, 250, 0, 0, 251))
    dimensions = biff_record(0x0200, struct.pack("<IIHHH", 0, 65_536, 0, 256, 0))
    near = biff_record(0x0203, struct.pack("<HHHd", 4, 1, 0, 1.0))

    (sheet,) = biff.sheet_extents(_biff_sheet(dimensions, near, blank, mulblank))

    assert (sheet.rows, sheet.columns) == (5, 2)
    assert sheet.reserved == 65_536 * 256 and sheet.declared == (65_536, 256)


def test_it_stops_an_xls_sheet_at_its_end_record() -> None:
    near = biff_record(0x0203, struct.pack("<HHHd", 4, 1, 0, 1.0))
    after = biff_record(0x0203, struct.pack("<HHHd", 65_535, 65_535, 0, 1.0))

    (sheet,) = biff.sheet_extents(_biff_sheet(near) + after)

    assert (sheet.rows, sheet.columns) == (5, 2)


@pytest.mark.parametrize("kind", [0, 1], ids=["xor-obfuscation", "rc4"])
def test_it_calls_an_xls_with_any_filepass_record_encrypted(kind: int) -> None:
    stream = _biff_sheet()
    filepass = biff_record(0x002F, struct.pack("<HHH", kind, 1, 1))
    at = 20  # after the globals' BOF
    stream = stream[:at] + filepass + stream[at:]

    with pytest.raises(biff.Encrypted):
        biff.sheet_extents(stream)


@pytest.mark.parametrize(
    "stream",
    [
        _biff_sheet()[:-2],  # the sheet's EOF record cut in half
        _biff_sheet(biff_record(0x0203, b"\0" * 14))[:30],  # the BoundSheet8 record cut
        biff_record(0x0085, struct.pack("<IBBBB", 10_000, 0, 0, 1, 0) + b"x"),  # sheet past end
    ],
    ids=["cut-record", "cut-globals", "sheet-offset-past-the-end"],
)
def test_it_calls_a_cut_xls_stream_damaged(stream: bytes) -> None:
    with pytest.raises(biff.Damaged):
        biff.sheet_extents(stream)


def test_it_refuses_an_xls_sheet_with_a_far_cell_naming_the_sheet_and_the_cell(
    tmp_path: Path,
) -> None:
    far = [None] * 255 + ["x"]  # IV65536: the last cell an Excel 97-2003 sheet has
    rows = [["NIK", "Nama"], [NIK_ANI, "Ani"], *([] for _ in range(65_533)), far]
    path = write_xls(tmp_path / "jauh.xls", rows, sheet="Daftar BPU")

    with pytest.raises(ReadError) as caught, translation.override("en"):
        read_table(path, limits=Limits(max_cells=1_000_000))

    assert caught.value.code == "SHEET_TOO_LARGE"
    assert '"Daftar BPU"' in caught.value.message and "IV65536" in caught.value.message


def test_it_refuses_an_xls_whose_dimensions_record_declares_a_huge_sheet(tmp_path: Path) -> None:
    # calamine reserves the declared rectangle, 65536 x 65535 cells, even with no cell there
    dimensions = biff_record(0x0200, struct.pack("<IIHHH", 0, 65_536, 0, 65_535, 0))
    path = write_xls(
        tmp_path / "f.xls", [["NIK", "Nama"], [NIK_ANI, "Ani"]], sheet_records=dimensions
    )

    with pytest.raises(ReadError) as caught, translation.override("en"):
        read_table(path)

    assert caught.value.code == "SHEET_TOO_LARGE"
    assert "CRXO65536" in caught.value.message


def test_it_reads_an_xls_whose_dimensions_record_is_smaller_than_its_cells(
    tmp_path: Path,
) -> None:
    dimensions = biff_record(0x0200, struct.pack("<IIHHH", 0, 1, 0, 1, 0))
    path = write_xls(
        tmp_path / "f.xls", [["NIK", "Nama"], [NIK_ANI, "Ani"]], sheet_records=dimensions
    )

    assert read_table(path).frame.get_column("nik").to_list() == [NIK_ANI]


def test_it_rejects_an_xls_whose_dimensions_record_ends_before_it_starts(tmp_path: Path) -> None:
    # calamine counts (last - first + 1) rows in wrapping 32-bit arithmetic: 4 billion rows
    dimensions = biff_record(0x0200, struct.pack("<IIHHH", 5, 2, 0, 2, 0))
    path = write_xls(
        tmp_path / "f.xls", [["NIK", "Nama"], [NIK_ANI, "Ani"]], sheet_records=dimensions
    )

    with pytest.raises(ReadError) as caught:
        read_table(path)

    assert caught.value.code == "FILE_CORRUPT"


class PanicException(BaseException):
    """Stands in for pyo3's PanicException: what a Rust panic inside calamine raises."""


@pytest.mark.parametrize("where", ["from_path", "get_sheet_by_name"])
def test_a_panic_inside_calamine_is_a_damaged_file_not_a_crashed_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from python_calamine import CalamineWorkbook

    path = write_xlsx(tmp_path / "daftar.xlsx", [["NIK", "Nama"], ["5203074101800001", "Siti"]])

    def panic(*args: object, **kwargs: object) -> None:
        raise PanicException("index out of bounds")

    if where == "from_path":
        monkeypatch.setattr(CalamineWorkbook, "from_path", panic)
    else:
        monkeypatch.setattr(CalamineWorkbook, "get_sheet_by_name", panic)
    with pytest.raises(ReadError) as caught:
        read_table(path)
    assert caught.value.code == "FILE_CORRUPT"


# --- any table: the package knows nothing of workers -------------------------------------------

ANSWER = Table(
    aliases={
        "kpj": ("KPJ", "No. KPJ", "Nomor KPJ", "No. Peserta"),
        "nik": ("NIK", "No. KTP"),
        "status": ("Status", "Status Kepesertaan"),
        "tmt": ("TMT", "Tanggal Kepesertaan"),
    },
    required=("kpj", "status"),
    identifiers=("kpj", "nik"),
)


def test_it_reads_a_bpjs_answer_with_its_own_table_and_a_kpj_stored_as_a_number(
    tmp_path: Path,
) -> None:
    path = tmp_path / "jawaban.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Hasil")
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    sheet.write(0, 0, "DATA KEPESERTAAN BPJS KETENAGAKERJAAN")
    sheet.write(1, 0, "Kantor Cabang Selong")
    sheet.write_row(3, 0, ["No", "Nomor KPJ", "NIK", "Status Kepesertaan", "TMT"])
    sheet.write_row(4, 0, [1, 24012345678, NIK_ANI, "Aktif"])
    sheet.write_datetime(4, 4, datetime.date(2024, 5, 1), date)
    sheet.write_row(5, 0, [2, "24012345679", NIK_BUDI, "Ditolak"])
    sheet.write_row(7, 0, ["Jumlah", None, None, "2"])
    sheet.write(9, 3, "Mengetahui,")
    workbook.close()

    read = sheets.read_table(path, ANSWER)

    assert read.header_row == 4
    assert read.columns == {
        "kpj": "Nomor KPJ",
        "nik": "NIK",
        "status": "Status Kepesertaan",
        "tmt": "TMT",
    }
    assert read.frame.columns == [
        "kpj",
        "nik",
        "status",
        "tmt",
        "_row",
        "_kpj_numeric",
        "_nik_numeric",
    ]
    assert read.frame.rows() == [
        ("24012345678", NIK_ANI, "Aktif", "2024-05-01", 5, True, False),
        ("24012345679", NIK_BUDI, "Ditolak", None, 6, False, False),
    ]
    assert read.rows_skipped == 4  # two blank rows, the total and the signature


def test_it_marks_a_csv_kpj_that_excel_wrote_as_a_number(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", "KPJ;Status\n2,40123E+10;Aktif\n24012345679;Aktif\n")

    read = sheets.read_table(path, ANSWER)

    assert read.frame.get_column("_kpj_numeric").to_list() == [True, False]
    assert read.frame.get_column("_nik_numeric").to_list() == [False, False]


def test_it_names_the_tables_own_missing_column_and_its_other_names(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", f"NIK;Status\n{NIK_ANI};Aktif\n")

    with pytest.raises(ReadError) as caught, translation.override("en"):
        sheets.read_table(path, ANSWER)

    assert caught.value.code == "COLUMNS_MISSING"
    assert caught.value.expected == ["KPJ"]
    assert "No. KPJ, Nomor KPJ, No. Peserta" in caught.value.message


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"KPJ;Status\n", "FILE_EMPTY"), (b"Aktif;Ditolak\n", "HEADER_NOT_FOUND")],
)
def test_it_speaks_of_rows_not_workers_when_the_table_brings_no_wording(
    tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)

    with pytest.raises(ReadError) as caught, translation.override("en"):
        sheets.read_table(path, ANSWER)

    assert caught.value.code == code
    assert "worker" not in caught.value.message
    if code == "HEADER_NOT_FOUND":
        assert "at least KPJ and Status" in caught.value.message


def test_it_reads_a_table_without_identifier_columns(tmp_path: Path) -> None:
    table = Table(aliases={"code": ("Kode",), "name": ("Nama",)}, required=("code",))
    path = write_csv(tmp_path / "f.csv", "Kode;Nama\nA1;Satu\nJUMLAH;\nB2;Dua\n")

    read = sheets.read_table(path, table)

    assert read.frame.columns == ["code", "name", "_row"]
    assert read.frame.get_column("code").to_list() == ["A1", "B2"]
