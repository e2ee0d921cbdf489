"""Reading an answer file: the header names branches use, through `lindung.sheets`."""

from pathlib import Path

from django.utils.translation import gettext_noop

from lindung import sheets

ANSWER = sheets.Table(
    aliases={
        "nik": "NIK | No. NIK | Nomor NIK | NIK KTP | No. KTP | Nomor KTP"
        " | Nomor Induk Kependudukan",
        "kpj": "KPJ | No. KPJ | Nomor KPJ | No KPJ | No. Peserta | Nomor Peserta"
        " | Nomor Kartu Peserta | No. Kartu",
        "status": "Status | Status Pendaftaran | Status Kepesertaan | Hasil | Hasil Verifikasi",
        "note": "Keterangan | Ket | Alasan | Catatan | Keterangan Penolakan",
        "effective": "TMT | TMT Kepesertaan | Tgl Efektif | Tanggal Efektif | Tgl Kepesertaan"
        " | Tanggal Kepesertaan | Tanggal Mulai | Mulai Berlaku",
        "name": "Nama | Nama Lengkap | Nama Peserta | Nama Tenaga Kerja",
    },
    required=("nik",),
    identifiers=("nik", "kpj"),
    labels={"nik": "NIK"},
    variants={"nik": "No. KTP, Nomor NIK, Nomor Induk Kependudukan"},
    wording=sheets.Wording(
        empty=gettext_noop(
            "The answer file contains no rows. Ask the branch for the list with one worker per "
            "row (NIK, KPJ, Status) and upload it again."
        ),
        header_not_found=gettext_noop(
            "No row with the column names was found in the first %(rows)s rows. The answer "
            "needs at least a NIK column, with KPJ and Status (or Keterangan) beside it."
        ),
    ),
)


def read_answer(path: Path, *, progress: sheets.Progress | None = None) -> sheets.Sheet:
    """The answer's rows as text columns (nik, kpj, status, note, effective, name). Raises
    sheets.ReadError when the file cannot be used."""
    return sheets.read_table(path, ANSWER, progress=progress)
