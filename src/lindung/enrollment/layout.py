"""The registration file's columns: the documented default (docs/formats/registration-v1.md)
and a wadah's own order and names, as its branch asked for them.

    columns = layout_for(wadah, kind)     [("nik", "NIK"), ("no_kk", "No. KK"), …]
    problems = parse_layout(text)         a wadah form's "field = Header" lines, checked

Each field's value is made by `batches.batch_rows`; the field names are the interface, the
headers are what the branch reads.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from lindung import xlsx
from lindung.enrollment.models import Kind, Wadah

VERSION = "1"


@dataclass(frozen=True)
class Field:
    header: str  # the default header, Indonesian: the file is for the branch
    kind: xlsx.Kind = xlsx.Kind.TEXT
    width: float = 14


FIELDS: dict[str, Field] = {
    "nik": Field("NIK", width=19),
    "kpj": Field("KPJ", width=14),
    "no_kk": Field("No. KK", width=19),
    "nama_lengkap": Field("Nama Lengkap", width=28),
    "tempat_lahir": Field("Tempat Lahir", width=16),
    "tanggal_lahir": Field("Tanggal Lahir", xlsx.Kind.DATE, 12),
    "jenis_kelamin": Field("Jenis Kelamin", width=8),
    "alamat": Field("Alamat", width=30),
    "kode_desa": Field("Kode Desa", width=14),
    "desa": Field("Desa/Kelurahan", width=20),
    "kecamatan": Field("Kecamatan", width=18),
    "no_hp": Field("No. HP", width=15),
    "pekerjaan": Field("Pekerjaan", width=18),
    "lokasi_kerja": Field("Lokasi Kerja", width=30),
    "penghasilan": Field("Penghasilan", xlsx.Kind.MONEY, 13),
    "program": Field("Program", width=12),
    "tanggal_mulai": Field("Tanggal Mulai", xlsx.Kind.DATE, 12),
    "masa_iur_bulan": Field("Masa Iur (Bulan)", xlsx.Kind.INTEGER, 8),
    "sumber_dana": Field("Sumber Dana", width=14),
    "kode_wadah": Field("Kode Wadah", width=12),
    "npw": Field("NPW", width=14),
    "nomor_sk": Field("Nomor SK", width=24),
    "baris_lampiran": Field("Baris Lampiran", xlsx.Kind.INTEGER, 8),
}
DEFAULT: tuple[str, ...] = (
    "nik",
    "no_kk",
    "nama_lengkap",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "alamat",
    "kode_desa",
    "desa",
    "kecamatan",
    "no_hp",
    "pekerjaan",
    "lokasi_kerja",
    "penghasilan",
    "program",
    "tanggal_mulai",
    "masa_iur_bulan",
    "sumber_dana",
    "kode_wadah",
    "npw",
    "nomor_sk",
    "baris_lampiran",
)
# Without these a registration cannot be processed: a wadah's layout must keep them.
REQUIRED_COLUMNS = ("nik", "nama_lengkap", "tanggal_lahir")


def default_layout(kind: str = Kind.NEW) -> list[tuple[str, str]]:
    fields = list(DEFAULT)
    if kind == Kind.RENEWAL:
        fields.insert(1, "kpj")
    return [(f, FIELDS[f].header) for f in fields]


def layout_for(wadah: Wadah, kind: str = Kind.NEW) -> list[tuple[str, str]]:
    """The columns of `wadah`'s files: its own layout, else the default. A renewal always
    carries the KPJ (after the NIK when the layout does not place it)."""
    if not wadah.layout:
        return default_layout(kind)
    columns = [(str(field), str(header)) for field, header in wadah.layout]
    if kind == Kind.RENEWAL and all(field != "kpj" for field, _header in columns):
        at = next((i + 1 for i, (f, _h) in enumerate(columns) if f == "nik"), 0)
        columns.insert(at, ("kpj", FIELDS["kpj"].header))
    return columns


def parse_layout(text: str) -> tuple[list[list[str]], list[str]]:
    """A layout typed one column per line, `field = Header` (or just `field` for the default
    header); an empty text is the default layout. Returns (layout, errors)."""
    layout: list[list[str]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        field, _sep, header = line.partition("=")
        field, header = field.strip().lower(), header.strip()
        if field not in FIELDS:
            errors.append(
                _("Line %(line)s: %(field)s is not a column of the format; use one of %(fields)s.")
                % {"line": number, "field": field, "fields": ", ".join(FIELDS)}
            )
            continue
        if field in seen:
            errors.append(
                _("Line %(line)s: the column %(field)s is listed twice.")
                % {"line": number, "field": field}
            )
            continue
        seen.add(field)
        layout.append([field, header or FIELDS[field].header])
    missing = [f for f in REQUIRED_COLUMNS if layout and f not in seen]
    if missing:
        errors.append(
            _("The layout must keep the columns %(fields)s.") % {"fields": ", ".join(missing)}
        )
    return layout, errors


def layout_text(layout: list[list[str]] | list[tuple[str, str]]) -> str:
    return "\n".join(f"{field} = {header}" for field, header in layout)
