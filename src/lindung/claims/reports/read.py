"""Reading a branch's claim report: the header names branches use, through `lindung.sheets`.

One paid claim a row. Required: the benefit type, the event date, the paid date and the
amount; and a KPJ or a NIK column (at least one). The name and the branch's claim number are
read when present. docs/formats/claims-report-v1.md lists the accepted headers.
"""

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung import sheets
from lindung.sheets import ReadError, ReadErrorCode

REPORT = sheets.Table(
    aliases={
        "kpj": "KPJ | No. KPJ | Nomor KPJ | No KPJ | KPJ Baru | No. Peserta | Nomor Peserta"
        " | Nomor Kartu Peserta | No. Kartu Peserta | No. Kartu | Membership Number",
        "nik": "NIK | No. NIK | Nomor NIK | NIK KTP | NIK Peserta | No. KTP | Nomor KTP"
        " | Nomor Induk Kependudukan | NIK Tenaga Kerja",
        "name": "Nama | Nama Peserta | Nama Lengkap | Nama Tenaga Kerja | Nama TK | Name",
        "type": "Jenis Klaim | Jenis Manfaat | Program | Program Klaim | Jenis Program"
        " | Tipe Klaim | Jenis Kasus | Jenis Santunan | Jenis | Manfaat | Kasus | Claim Type"
        " | Type | Benefit",
        "event_date": "Tanggal Kejadian | Tgl Kejadian | Tgl. Kejadian | Tanggal Kasus"
        " | Tgl Kasus | Tanggal Kecelakaan | Tgl Kecelakaan | Tgl. Kecelakaan"
        " | Tanggal Meninggal | Tgl Meninggal | Tgl. Meninggal | Tanggal Wafat"
        " | Tanggal Peristiwa | Event Date | Date of Event | Accident Date | Date of Death",
        "paid_on": "Tanggal Bayar | Tgl Bayar | Tgl. Bayar | Tanggal Pembayaran"
        " | Tgl Pembayaran | Tgl. Pembayaran | Tanggal Dibayar | Tgl Dibayar"
        " | Tanggal Transfer | Tgl Transfer | Tanggal Pencairan | Tgl Pencairan"
        " | Tanggal Penetapan | Paid Date | Paid On | Payment Date | Date Paid",
        "amount": "Jumlah Dibayar | Nominal Dibayar | Jumlah Bayar | Nominal Bayar"
        " | Nominal Klaim | Jumlah Klaim | Nilai Klaim | Total Klaim | Jumlah Manfaat"
        " | Nominal Manfaat | Manfaat Dibayar | Total Manfaat | Jumlah Santunan"
        " | Jumlah Pembayaran | Total Bayar | Nominal | Jumlah | Total | Amount Paid"
        " | Paid Amount | Amount",
        "bpjs_number": "No. Klaim | Nomor Klaim | No Klaim | No. Kasus | Nomor Kasus"
        " | No. Penetapan | Nomor Penetapan | No. Referensi | Claim Number | Claim No",
    },
    required=("type", "event_date", "paid_on", "amount"),
    identifiers=("kpj", "nik"),
    labels={
        "type": "Jenis Klaim",
        "event_date": "Tanggal Kejadian",
        "paid_on": "Tanggal Bayar",
        "amount": "Jumlah Dibayar",
    },
    variants={
        "type": "Jenis Manfaat, Program, Jenis Kasus",
        "event_date": "Tgl Kejadian, Tanggal Kecelakaan, Tanggal Meninggal",
        "paid_on": "Tgl Bayar, Tanggal Pembayaran, Tanggal Transfer",
        "amount": "Nominal, Jumlah Klaim, Jumlah Manfaat",
    },
    wording=sheets.Wording(
        empty=gettext_noop(
            "The claim report contains no rows. Ask the branch for the list of the claims it "
            "paid, one claim per row (KPJ, NIK, Jenis Klaim, Tanggal Kejadian, Tanggal Bayar, "
            "Jumlah Dibayar), and upload it again."
        ),
        header_not_found=gettext_noop(
            "No row with the column names was found in the first %(rows)s rows. The BPJS "
            "claim report needs the columns %(required)s, and KPJ or NIK."
        ),
    ),
)
IDENTIFIERS = ("kpj", "nik")


def read_report(path: Path, *, progress: sheets.Progress | None = None) -> sheets.Sheet:
    """The report's rows as text columns (kpj, nik, name, type, event_date, paid_on, amount,
    bpjs_number, `_row`, `_kpj_numeric`, `_nik_numeric`). Raises sheets.ReadError when the
    file cannot be used: the reader's reasons, or a report without a KPJ and a NIK column."""
    sheet = sheets.read_table(path, REPORT, progress=progress)
    if not any(name in sheet.columns for name in IDENTIFIERS):
        found = list(sheet.original.columns[:-1])
        raise ReadError(
            ReadErrorCode.COLUMNS_MISSING,
            _(
                "The claim report has no KPJ and no NIK column, so its claims cannot be "
                "matched to workers. Columns found: %(found)s. Ask the branch for the report "
                "with the KPJ (No. KPJ) or the NIK of each worker."
            )
            % {"found": ", ".join(found) or "-"},
            found=found,
            expected=["KPJ", "NIK"],
        )
    return sheet
