"""Malformed worker lists, generated: each case builds one file and says what the import must
answer (a ReadError code, or None when the file is read). Used by test_import_corpus.py.

    python -m lindung.registry.tests.corpus CASE FOLDER

builds CASE in FOLDER and reads it under a 2 GB address-space limit, printing {"code": …}: the
tests read the cases that could exhaust memory this way, so that a regression fails a test
instead of killing pytest.
"""

import codecs
import json
import os
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from lindung.sheets.tests.files import biff_record, write_ods, write_xls, write_xlsx

NIK = "5203074101900002"
HEADER: list[object] = ["No", "NIK", "Nama Lengkap", "Desa", "Kecamatan"]
ROW: list[object] = [1, NIK, "Baiq Ani", "Pancor", "Selong"]
CSV = f"No;NIK;Nama Lengkap;Desa;Kecamatan\n1;{NIK};Baiq Ani;Pancor;Selong\n"


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]
    code: str | None  # the ReadError code expected, None: the file is read
    says: str = ""  # a piece of the English message expected
    dangerous: bool = False  # could exhaust memory without the reader's guard
    gap: str = ""  # a known gap: the case is expected to fail until it is closed


def _xlsx(rows: list[list[object]], name: str = "daftar.xlsx") -> Callable[[Path], Path]:
    return lambda folder: write_xlsx(folder / name, rows)


def _bytes(name: str, content: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return build


def _rezip(source: Path, path: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _sheet_xml(change: Callable[[bytes], bytes], name: str) -> Callable[[Path], Path]:
    """A valid worker list whose first sheet's XML is edited by hand."""

    def build(folder: Path) -> Path:
        source = write_xlsx(folder / "source.xlsx", [HEADER, ROW])

        def edit(members: dict[str, bytes]) -> None:
            members["xl/worksheets/sheet1.xml"] = change(members["xl/worksheets/sheet1.xml"])

        return _rezip(source, folder / name, edit)

    return build


def _far_cell(folder: Path) -> Path:
    path = folder / "sel-jauh.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Pekerja")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ROW)
    sheet.write_string(1_048_575, 16_383, "x")  # XFD1048576
    workbook.close()
    return path


def _formatted_to_the_bottom(folder: Path) -> Path:
    """Excel's "Ctrl+End goes to row 1048576": formatting only, no value down there."""
    path = folder / "format.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Pekerja")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ROW)
    sheet.write_blank(1_048_575, 16_383, None, workbook.add_format({"bold": True}))
    workbook.close()
    return path


def _hidden_first_sheet(folder: Path) -> Path:
    path = folder / "tersembunyi.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    data = workbook.add_worksheet("Data")
    data.write_row(0, 0, HEADER)
    data.write_row(1, 0, ROW)
    shown = workbook.add_worksheet("Ringkasan")
    shown.write(0, 0, "Ringkasan")
    shown.activate()
    data.hide()
    workbook.close()
    return path


def _formulas_and_merged(folder: Path) -> Path:
    path = folder / "rumus.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Pekerja")
    sheet.merge_range("A1:E1", "DAFTAR PEKERJA")
    sheet.write_row(2, 0, HEADER)
    sheet.write_row(3, 0, ROW)
    sheet.write_formula(4, 0, "=A4+1", None, 2)
    sheet.write_formula(4, 1, f'="{NIK[:8]}"&"{NIK[8:]}"', None, NIK)
    sheet.write_formula(4, 2, '=UPPER("ani")', None, "ANI")
    workbook.close()
    return path


def _renamed(build: Callable[[Path], Path], name: str) -> Callable[[Path], Path]:
    def rename(folder: Path) -> Path:
        return build(folder).rename(folder / name)

    return rename


def _ods(body: str, name: str = "daftar.ods") -> Callable[[Path], Path]:
    """An ODS file with one table of raw rows after the header row."""

    def build(folder: Path) -> Path:
        path = write_ods(folder / name, [HEADER, ROW])

        def edit(members: dict[str, bytes]) -> None:
            content = members["content.xml"].decode()
            content = content.replace("</table:table>", body + "</table:table>")
            members["content.xml"] = content.encode()

        return _rezip(path, path.with_suffix(".tmp"), edit).replace(path)

    return build


_ODS_CELL = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'


def _docx(folder: Path) -> Path:
    path = folder / "surat.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return path


def _zip_bomb(folder: Path) -> Path:
    path = folder / "bom.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _block in range(40):
                member.write(bytes(1024 * 1024))  # 40 MB of zeros: ratio ~1000
    return path


def _declares_4_gb(folder: Path) -> Path:
    path = write_xlsx(folder / "besar.xlsx", [HEADER, ROW])
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    data[entry + 24 : entry + 28] = struct.pack("<I", 0xFFFFFFF0)
    path.write_bytes(bytes(data))
    return path


def _zip_encrypted_flag(folder: Path) -> Path:
    path = write_xlsx(folder / "sandi-zip.xlsx", [HEADER, ROW])
    data = bytearray(path.read_bytes())
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        data[at + 8] |= 0x1  # the "encrypted" general-purpose flag of every entry
        at += 4
    path.write_bytes(bytes(data))
    return path


def _long_cell(folder: Path) -> Path:
    path = folder / "sel-panjang.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_urls": False})
    sheet = workbook.add_worksheet("Pekerja")
    sheet.write_row(0, 0, [*HEADER, "Alamat"])
    sheet.write_row(1, 0, ROW)
    sheet.write_string(1, 5, "Dusun Pancor " * 80_000)  # ~1 MB in one cell
    workbook.close()
    return path


def _without_r(folder: Path) -> Path:
    """Cells without their `r` position (allowed by OOXML): the far cell is found by
    counting, in row 1048576 after 16383 empty cells."""
    cells = "<c/>" * 16_383 + '<c t="inlineStr"><is><t>x</t></is></c>'
    far = f'<row r="1048576">{cells}</row></sheetData>'.encode()
    return _sheet_xml(lambda xml: xml.replace(b"</sheetData>", far), "tanpa-r.xlsx")(folder)


def _xls_far_cell(folder: Path) -> Path:
    rows: list[list[object]] = [HEADER, ROW, *([] for _ in range(65_532)), [None] * 65_535 + ["x"]]
    return write_xls(folder / "sel-jauh.xls", rows)


def _xls_huge_dimensions(folder: Path) -> Path:
    """A DIMENSIONS record declaring 65536 x 65535 cells: calamine reserves them all."""
    dimensions = biff_record(0x0200, struct.pack("<IIHHH", 0, 65_536, 0, 65_535, 0))
    return write_xls(folder / "dimensi.xls", [HEADER, ROW], sheet_records=dimensions)


CASES = [
    # not a spreadsheet, or damaged
    Case("empty-file", _bytes("kosong.csv", b""), "FILE_EMPTY"),
    Case("truncated-zip", _bytes("rusak.xlsx", b"PK\x03\x04" + bytes(100)), "FILE_CORRUPT"),
    Case("zip-not-a-spreadsheet", _docx, "FORMAT_UNKNOWN"),
    Case("pdf-as-xlsx", _bytes("f.xlsx", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj"), "FORMAT_UNKNOWN"),
    Case("png-as-xls", _bytes("f.xls", b"\x89PNG\r\n\x1a\n" + bytes(64)), "FORMAT_UNKNOWN"),
    Case("gzip-as-csv", _bytes("f.csv", b"\x1f\x8b\x08\x00" + bytes(64)), "FORMAT_UNKNOWN"),
    Case("binary-as-csv", _bytes("f.csv", bytes(range(256)) * 8), "FORMAT_UNKNOWN"),
    Case(
        "html-as-xls",
        _bytes("f.xls", f"<html><table><tr><td>NIK</td><td>{NIK}</td></tr></table>".encode()),
        "FORMAT_UNKNOWN",
        "web page",
    ),
    Case("xml-as-xls", _bytes("f.xls", b'<?xml version="1.0"?><Workbook/>'), "FORMAT_UNKNOWN"),
    Case(
        "encrypted-ooxml",
        _bytes(
            "rahasia.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(1016)
            + "EncryptionInfo".encode("utf-16-le"),
        ),
        "FILE_ENCRYPTED",
        "password",
    ),
    Case(
        "encrypted-xls",
        lambda folder: write_xls(folder / "sandi.xls", [HEADER, ROW], password=True),
        "FILE_ENCRYPTED",
    ),
    Case("encrypted-zip-entries", _zip_encrypted_flag, "FILE_ENCRYPTED"),
    Case(
        "broken-sheet-xml",
        _sheet_xml(lambda xml: xml[: len(xml) // 2], "setengah.xlsx"),
        "FILE_CORRUPT",
    ),
    Case("zip-bomb", _zip_bomb, "ZIP_BOMB"),
    Case("zip-declaring-4-gb", _declares_4_gb, "ZIP_BOMB"),
    # nothing to import
    Case("empty-sheet", _xlsx([]), "FILE_EMPTY"),
    Case("only-headers-xlsx", _xlsx([HEADER]), "FILE_EMPTY"),
    Case("only-headers-csv", _bytes("f.csv", b"NIK;Nama\n;\n\n"), "FILE_EMPTY"),
    Case("no-header", _xlsx([[NIK, "Ani"]]), "HEADER_NOT_FOUND"),
    Case("no-nik-column", _xlsx([["Nama", "Desa"], ["Ani", "Pancor"]]), "COLUMNS_MISSING"),
    Case("hidden-data-sheet", _hidden_first_sheet, "SHEET_HIDDEN", 'hidden sheet "Data"'),
    # too large: refused before anything is allocated
    Case("far-cell-xfd1048576", _far_cell, "SHEET_TOO_LARGE", "XFD1048576", dangerous=True),
    Case(
        "far-cell-behind-a-small-dimension",
        _sheet_xml(
            lambda xml: xml.replace(
                b"</sheetData>",
                b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
                b"</row></sheetData>",
            ),
            "dimensi-bohong.xlsx",
        ),
        "SHEET_TOO_LARGE",
        "XFD1048576",
        dangerous=True,
    ),
    Case("far-cell-without-positions", _without_r, "SHEET_TOO_LARGE", dangerous=True),
    Case(
        "ods-far-cell",
        _ods(
            '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/>'
            "</table:table-row><table:table-row><table:table-cell table:number-columns-repeated"
            f'="16000"/>{_ODS_CELL}</table:table-row>',
            "jauh.ods",
        ),
        "SHEET_TOO_LARGE",
        dangerous=True,
    ),
    Case(
        "ods-3-million-rows",
        _ods(
            f'<table:table-row table:number-rows-repeated="3000000">{_ODS_CELL}</table:table-row>',
            "besar.ods",
        ),
        "TOO_MANY_ROWS",
        dangerous=True,
    ),
    Case(
        "csv-3-million-rows",
        _bytes("besar.csv", b"NIK;Nama\n" + b";\n" * 3_000_000),
        "TOO_MANY_ROWS",
    ),
    Case("xls-far-cell", _xls_far_cell, "SHEET_TOO_LARGE", '"Pekerja"', dangerous=True),
    Case("xls-declaring-a-huge-sheet", _xls_huge_dimensions, "SHEET_TOO_LARGE", dangerous=True),
    # read, despite their quirks
    Case("formatted-down-to-row-1048576", _formatted_to_the_bottom, None),
    Case("csv-utf8-bom", _bytes("f.csv", codecs.BOM_UTF8 + CSV.encode()), None),
    Case("csv-utf16", _bytes("f.csv", CSV.encode("utf-16")), None),
    Case("csv-cp1252", _bytes("f.csv", CSV.replace("Ani", "Ané").encode("cp1252")), None),
    Case(
        "csv-mixed-encodings",
        _bytes(
            "f.csv", CSV.encode() + f"2;{NIK[:-1]}3;Lalu Budi Séna;Pancor;Selong\n".encode("cp1252")
        ),
        None,
    ),
    Case("csv-nul-byte", _bytes("f.csv", CSV.replace("Baiq", "Ba\0iq").encode()), None),
    Case(
        "csv-comma-quoted",
        _bytes("f.csv", b"NIK,Nama,Alamat\n" + f'{NIK},Ani,"Jl. A, No. 1\nRT 2"\n'.encode()),
        None,
    ),
    Case("xlsx-renamed-xls", _renamed(_xlsx([HEADER, ROW]), "daftar.xls"), None),
    Case("xlsx-renamed-csv", _renamed(_xlsx([HEADER, ROW]), "daftar.csv"), None),
    Case(
        "ods-renamed-xlsx",
        _renamed(lambda folder: write_ods(folder / "a.ods", [HEADER, ROW]), "daftar.xlsx"),
        None,
    ),
    Case(
        "xls-renamed-xlsx",
        _renamed(lambda folder: write_xls(folder / "a.xls", [HEADER, ROW]), "daftar.xlsx"),
        None,
    ),
    Case("csv-renamed-xlsx", _bytes("daftar.xlsx", CSV.encode()), None),
    Case("formulas-and-merged-title", _formulas_and_merged, None),
    Case("one-megabyte-cell", _long_cell, None),
    Case("very-long-name", _xlsx([HEADER, ROW], name="d" * 250 + ".xlsx"), None),
]
BY_NAME = {case.name: case for case in CASES}


def main() -> None:
    """Build one case and read it with at most 2 GB of address space; print its code."""
    import resource

    import django

    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    from django.utils import translation

    from lindung.registry.pipeline.read import read_table
    from lindung.sheets import ReadError

    case, folder = BY_NAME[sys.argv[1]], Path(sys.argv[2])
    path = case.build(folder)
    with translation.override("en"):
        try:
            read_table(path)
        except ReadError as error:
            sys.stdout.write(json.dumps({"code": error.code, "message": error.message}) + "\n")
            return
    sys.stdout.write(json.dumps({"code": None, "message": ""}) + "\n")


if __name__ == "__main__":
    main()
