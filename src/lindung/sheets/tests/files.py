"""Spreadsheet files written for tests: XLSX (xlsxwriter), a minimal ODS, a minimal XLS (BIFF8
records in an OLE2 container) and CSV. Used by the sheets tests and the import corpus."""

import datetime
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, sheet: str = "Pekerja") -> Path:
    """One sheet, row by row from A1; None leaves a cell empty."""
    workbook = xlsxwriter.Workbook(str(path))
    worksheet = workbook.add_worksheet(sheet)
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                worksheet.write_datetime(r, c, value, date)
            elif isinstance(value, str):
                worksheet.write_string(r, c, value)
            elif value is not None:
                worksheet.write(r, c, value)
    workbook.close()
    return path


def write_ods(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """A minimal OpenDocument spreadsheet: mimetype, content.xml and the manifest."""

    def cell(value: Any) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, datetime.date):
            return (
                f'<table:table-cell office:value-type="date" office:date-value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        if isinstance(value, str):
            return (
                '<table:table-cell office:value-type="string">'
                f"<text:p>{escape(value)}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Pekerja">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    mimetype = "application/vnd.oasis.opendocument.spreadsheet"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


def biff_record(kind: int, data: bytes = b"") -> bytes:
    """One BIFF record: type, length, data."""
    return struct.pack("<HH", kind, len(data)) + data


def write_xls(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    password: bool = False,
    sheet_records: bytes = b"",
    sheet: str = "Pekerja",
) -> Path:
    """A minimal Excel 97-2003 workbook: BIFF8 records (strings, numbers, dates) in a one-stream
    OLE2 container. `password` adds the FilePass record of an encrypted workbook;
    `sheet_records` (raw BIFF records) go into the sheet before its cells."""

    def bof(kind: int) -> bytes:
        return biff_record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    def xf(number_format: int) -> bytes:  # 14 is Excel's built-in date format
        return biff_record(0x00E0, struct.pack("<HH", 0, number_format) + bytes(16))

    cells = bytearray()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                text = struct.pack("<HB", len(value), 1) + value.encode("utf-16-le")
                cells += biff_record(0x0204, struct.pack("<HHH", r, c, 0) + text)
            elif isinstance(value, datetime.date):
                serial = (value - datetime.date(1899, 12, 30)).days
                cells += biff_record(0x0203, struct.pack("<HHHd", r, c, 1, serial))
            elif value is not None:
                cells += biff_record(0x0203, struct.pack("<HHHd", r, c, 0, value))
    head = bof(0x0005)
    if password:
        head += biff_record(0x002F, struct.pack("<HHH", 1, 1, 1))
    head += xf(0) + xf(14)
    name = struct.pack("<BB", len(sheet), 1) + sheet.encode("utf-16-le")
    sheet_at = len(head) + 4 + 6 + len(name) + 4  # after BoundSheet8 and EOF
    stream = (
        head + biff_record(0x0085, struct.pack("<IBB", sheet_at, 0, 0) + name) + biff_record(0x000A)
    )
    stream += bof(0x0010) + sheet_records + cells + biff_record(0x000A)
    return write_ole(path, stream)


def write_ole(path: Path, stream: bytes) -> Path:
    """An OLE2 container (512-byte sectors) holding `stream` as its "Workbook" (at most 7 MB)."""
    # Padded with empty records to at least 4096 bytes: no mini stream
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
    sectors = len(stream) // 512
    fats = -(-(sectors + 1) // 127)  # FAT sectors, each listing 128 sectors (itself too)
    assert fats <= 109, "larger than the header's FAT list"
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    # FAT sectors, then the directory sector, then the Workbook's chain
    fat = [0xFFFFFFFD] * fats + [end, *range(fats + 2, fats + 1 + sectors), end]
    fat += [free] * (128 * fats - len(fat))

    def entry(entry_name: str, kind: int, child: int, start: int, length: int) -> bytes:
        raw = entry_name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(raw), kind, 1, free, free, child)
            + bytes(16)
            + struct.pack("<IQQIQ", 0, 0, 0, start, length)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry(
        "Workbook", 2, free, fats + 1, len(stream)
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)  # version 3, 512-byte sectors
        + bytes(6)
        # directory sectors, FAT sectors, first directory sector, transaction, mini stream
        # cutoff, first mini FAT sector, mini FAT sectors, first DIFAT sector, DIFAT sectors
        + struct.pack("<9I", 0, fats, fats, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", *range(fats), *[free] * (109 - fats))
    )
    path.write_bytes(
        header + struct.pack(f"<{len(fat)}I", *fat) + directory.ljust(512, b"\0") + stream
    )
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
