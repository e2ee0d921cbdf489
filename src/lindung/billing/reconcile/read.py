"""Reading the branch's recap: the header names branches use, through `lindung.sheets`.

The recap lists the wadah's members, one a row (or one a row and month: rows of one KPJ are
added up by `check.normalise`). KPJ is required; NIK, name, status, paid through, amount and
wadah/NPW are read when present, and at least one of status, paid through and amount must be.
"""

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung import sheets
from lindung.sheets import ReadError, ReadErrorCode

RECAP = sheets.Table(
    aliases={
        "kpj": "KPJ | No. KPJ | Nomor KPJ | No KPJ | KPJ Baru | No. Peserta | Nomor Peserta"
        " | Nomor Kartu Peserta | No. Kartu Peserta | No. Kartu",
        "nik": "NIK | No. NIK | Nomor NIK | NIK KTP | No. KTP | Nomor KTP"
        " | Nomor Induk Kependudukan",
        "name": "Nama | Nama Peserta | Nama Lengkap | Nama Tenaga Kerja | Nama TK",
        "status": "Status | Status Kepesertaan | Status Peserta | Status Aktif"
        " | Status Keaktifan | Keaktifan | Keterangan Status",
        "paid_through": "Iuran s.d. | Iuran Sampai Dengan | Iuran s/d | Tanggal Iuran Terakhir"
        " | Tgl Iuran Terakhir | Tgl. Iuran Terakhir | Bulan Terakhir Dibayar"
        " | Bulan Iuran Terakhir | Periode Iuran Terakhir | Iuran Terakhir | Bulan Terakhir"
        " | Lunas s.d. | Dibayar s.d. | Bayar s.d. | Sudah Bayar s.d. | Masa Iuran s.d."
        " | Paid Through | Paid Until",
        "amount": "Total Iuran | Jumlah Iuran | Total Iuran Dibayar | Iuran Dibayar"
        " | Nominal Iuran | Total Bayar | Jumlah Bayar | Total Pembayaran | Jumlah Pembayaran"
        " | Iuran | Nominal | Total | Amount",
        "wadah": "NPW | No. NPW | Nomor NPW | Kode Wadah | Wadah | Nama Wadah | NPP | No. NPP",
    },
    required=("kpj",),
    identifiers=("kpj", "nik"),
    labels={"kpj": "KPJ"},
    variants={"kpj": "No. KPJ, Nomor KPJ, No. Peserta, Nomor Kartu Peserta"},
    wording=sheets.Wording(
        empty=gettext_noop(
            "The recap contains no rows. Ask the branch for the list of the wadah's members "
            "with one member per row (KPJ, NIK, Status, Iuran s.d., Total Iuran) and upload it "
            "again."
        ),
        header_not_found=gettext_noop(
            "No row with the column names was found in the first %(rows)s rows. The BPJS "
            "recap needs at least a KPJ column, with Status, Iuran s.d. (paid through) or "
            "Total Iuran beside it."
        ),
    ),
)
FACTS = ("status", "paid_through", "amount")


def read_recap(path: Path, *, progress: sheets.Progress | None = None) -> sheets.Sheet:
    """The recap's rows as text columns (kpj, nik, name, status, paid_through, amount, wadah,
    `_row`, `_kpj_numeric`, `_nik_numeric`). Raises sheets.ReadError when the file cannot be
    used: the reader's reasons, or a recap with a KPJ column but nothing to compare."""
    sheet = sheets.read_table(path, RECAP, progress=progress)
    if not any(name in sheet.columns for name in FACTS):
        found = list(sheet.original.columns[:-1])
        raise ReadError(
            ReadErrorCode.COLUMNS_MISSING,
            _(
                "The recap has a KPJ column but nothing to compare: no Status, no Iuran s.d. "
                "(paid through) and no Total Iuran. Columns found: %(found)s. Ask the branch "
                "for the recap with at least one of them."
            )
            % {"found": ", ".join(found) or "-"},
            found=found,
            expected=["Status", "Iuran s.d.", "Total Iuran"],
        )
    return sheet
