"""Step `read` of the import: a worker list (XLSX, XLS, ODS or CSV) in, text columns out.

    read_table(path, sheet=None) -> Sheet
        .frame     one pl.String column per name in FIELDS, then `_row` and `_nik_numeric`
        .original  every column of the file as text under its own header, then `_row`

The reading itself is `lindung.sheets` (format by content, limits, calamine's typed cells,
header below title rows, footer and signature rows); this module holds what makes the file a
worker list: the column names an operator would write for each field (`WORKERS`) and the
messages that speak of workers.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_noop

from lindung import sheets
from lindung.registry.pipeline import FIELDS

# Header texts per canonical field, " | " between them, best first: when two columns map to
# one field the column with the earlier alias wins ("Alamat" over "Dusun"). Compared case-,
# space- and punctuation-insensitively, and again without a bracketed note ("Penghasilan (Rp)").
_ALIASES: dict[str, str] = {
    "nik": "NIK | NIK KTP | No. NIK | Nomor NIK | No. KTP | Nomor KTP | Nomor Induk Kependudukan"
    " | No. Induk Kependudukan",
    "no_kk": "No. KK | Nomor KK | NKK | Nomor Kartu Keluarga | No. Kartu Keluarga | KK",
    "name": "Nama | Nama Lengkap | Nama Sesuai KTP | Nama Lengkap Sesuai KTP | Nama Pekerja"
    " | Nama Peserta | Nama Tenaga Kerja | Nama Anggota",
    "sex": "Jenis Kelamin | JK | L/P | Kelamin | Jns Kelamin | Jenkel | Sex | Gender",
    "birth_place": "Tempat Lahir | Tmp Lahir | Tmpt Lahir | Tpt Lahir",
    "birth_date": "Tanggal Lahir | Tgl Lahir | Tgl Lhr | TTL Tanggal",
    "birth_place_date": "Tempat, Tgl Lahir | Tempat/Tanggal Lahir | Tempat Tanggal Lahir"
    " | Tmp/Tgl Lahir | TTL",
    "phone": "No. HP | Nomor HP | HP | No. HP/WA | Nomor HP/WA | HP/WA | No. WA | No. Telp"
    " | No. Telepon | Nomor Telepon | Telepon | Telp | No. Handphone",
    "address": "Alamat | Alamat Lengkap | Alamat Rumah | Alamat/Dusun | Dusun",
    "kabupaten": "Kabupaten | Kabupaten/Kota | Kab/Kota | Kab",
    "kecamatan": "Kecamatan | Kec | Nama Kecamatan | Nama Kec | Kode Kecamatan",
    "desa": "Desa | Desa/Kelurahan | Desa/Kel | Kel/Desa | Kelurahan/Desa | Kelurahan | Nama Desa"
    " | Nama Desa/Kelurahan | Kode Desa",
    "occupation": "Pekerjaan | Jenis Pekerjaan | Pekerjaan Utama | Profesi | Mata Pencaharian",
    "income": "Penghasilan | Penghasilan per Bulan | Penghasilan/Bulan | Pendapatan"
    " | Pendapatan per Bulan | Pendapatan/Bulan",
    "desil": "Desil | Desil Kesejahteraan | Peringkat Desil",
    "disability": "Disabilitas | Penyandang Disabilitas | Status Disabilitas | Difabel",
    "female_head": "Perempuan Kepala Keluarga | PEKKA | KK Perempuan | Kepala Keluarga Perempuan",
}

WORKERS = sheets.Table(
    aliases={name: _ALIASES[name] for name in FIELDS},
    required=("nik", "name"),
    # A NIK typed as a number in Excel has lost its last digits: `_nik_numeric` says so.
    identifiers=("nik",),
    # How the required columns are named to the operator in error messages.
    labels={"nik": "NIK", "name": "Nama"},
    variants={
        "nik": "No. KTP, Nomor KTP, Nomor Induk Kependudukan",
        "name": "Nama Lengkap, Nama Sesuai KTP, Nama Pekerja",
    },
    wording=sheets.Wording(
        not_spreadsheet=gettext_noop(
            "The file is not a spreadsheet or a CSV file. Save the worker list as .xlsx "
            "(Excel), .ods (LibreOffice) or .csv and upload it again."
        ),
        zip_not_spreadsheet=gettext_noop(
            "The file is a zip archive but not an Excel (.xlsx) or LibreOffice (.ods) "
            "spreadsheet. Upload the worker list itself as .xlsx, .ods or .csv."
        ),
        empty=gettext_noop(
            "The file contains no worker rows. Fill in one worker per row below the header row "
            "(NIK, Nama, …) and upload the file again."
        ),
        header_not_found=gettext_noop(
            "No row with the column names was found in the first %(rows)s rows. Put the "
            "column names in one row above the data, at least NIK and Nama, for example: "
            "No, NIK, Nama, Jenis Kelamin, Tanggal Lahir, Alamat, Desa, Pekerjaan."
        ),
        too_many_rows=gettext_noop(
            "The file has more than %(limit)s worker rows (%(rows)s found). Split the list into "
            "files of at most %(limit)s rows, for example one per kecamatan, and upload them one "
            "by one."
        ),
        sheet_too_long=gettext_noop(
            'The sheet "%(sheet)s" goes down to row %(rows)s (its last filled cell is '
            "%(cell)s), more than the limit of %(limit)s worker rows, so it was not read. "
            "If the list is that long, split it into files of at most %(limit)s rows, for "
            "example one per kecamatan. If the rows below the list are not workers, delete "
            "them (or copy the table into a new sheet) and upload the file again."
        ),
        sheet_hidden=gettext_noop(
            'The worker list is on the hidden sheet "%(hidden)s"; the visible sheets '
            "(%(visible)s) hold no worker list. Unhide the sheet in Excel (right-click a "
            'sheet tab > Unhide) and upload the file again, or type "%(hidden)s" in the '
            "Sheet field (--sheet on the command line). Sheets in the file: %(sheets)s."
        ),
    ),
)


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    limits: sheets.Limits = sheets.DEFAULT_LIMITS,
    progress: sheets.Progress | None = None,
) -> sheets.Sheet:
    """Read a worker list into the FIELDS columns. Raises sheets.ReadError when the file
    cannot be used."""
    return sheets.read_table(path, WORKERS, sheet=sheet, limits=limits, progress=progress)
