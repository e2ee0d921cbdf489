"""The registry list as an XLSX workbook (the list page's current filter)."""

from typing import IO

import xlsxwriter
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.accounts.roles import Capability
from lindung.registry.models import Occupation, Sex, WorkerQuerySet, WorkerStatus
from lindung.ui.templatetags.lindung_format import mask_nik

# Excel holds 1.048.576 rows a sheet; beyond this, narrow the filter.
EXPORT_LIMIT = 1_000_000
# Plain columns, read with values_list: no model instances for a million rows.
_COLUMNS = (
    "nik",
    "no_kk",
    "name",
    "sex",
    "birth_date",
    "birth_place",
    "phone",
    "address",
    "kecamatan__name",
    "desa__name",
    "desa_id",
    "occupation",
    "income",
    "desil",
    "disability",
    "female_head",
    "status",
)


def write_workers_xlsx(workers: WorkerQuerySet, *, viewer: User, out: IO[bytes]) -> int:
    """Write `workers` (at most EXPORT_LIMIT, by name) to `out`; returns the row count.

    NIK and No. KK are text cells (a number would lose digits), masked unless `viewer` has
    VIEW_NIK; every text goes through write_string, so `=HYPERLINK(...)` stays text. The
    workbook streams rows to disk (constant_memory) whatever the size.
    """
    show_nik = viewer.can(Capability.VIEW_NIK)
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = workbook.add_worksheet(_("Workers")[:31])
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "dd-mm-yyyy"})
    money = workbook.add_format({"num_format": "#,##0"})
    headers = [
        "NIK",
        _("No. KK"),
        _("Name"),
        _("Sex"),
        _("Birth date"),
        _("Birth place"),
        _("Phone"),
        _("Address"),
        _("Kecamatan"),
        _("Desa/kelurahan"),
        _("Desa code"),
        _("Occupation"),
        _("Monthly income"),
        _("Desil"),
        _("Disability"),
        _("Female head of household"),
        _("Status"),
    ]
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, bold)
    sheet.set_column(0, 1, 19)
    sheet.set_column(2, 2, 28)
    sheet.set_column(7, 7, 30)
    yes, no = _("yes"), _("no")
    sexes, occupations, statuses = (
        dict(Sex.choices),
        dict(Occupation.choices),
        dict(WorkerStatus.choices),
    )
    rows = workers.order_by("name_key", "id").values_list(*_COLUMNS)[:EXPORT_LIMIT]
    count = 0
    for count, row in enumerate(rows.iterator(chunk_size=5000), start=1):
        (nik, no_kk, name, sex, born, place, phone, address, kecamatan, desa, desa_code,
         occupation, income, desil, disability, female_head, status) = row  # fmt: skip
        texts = [
            nik if show_nik else mask_nik(nik),
            no_kk if show_nik else mask_nik(no_kk),
            name,
            str(sexes.get(sex, sex)),
        ]
        for column, text in enumerate(texts):
            sheet.write_string(count, column, text)
        sheet.write_datetime(count, 4, born, day)
        for column, text in enumerate(
            [place, phone if show_nik else mask_nik(phone), address, kecamatan, desa, desa_code],
            start=5,
        ):
            sheet.write_string(count, column, text)
        sheet.write_string(count, 11, str(occupations.get(occupation, occupation)))
        if income is not None:
            sheet.write_number(count, 12, income, money)
        if desil is not None:
            sheet.write_number(count, 13, desil)
        sheet.write_string(count, 14, yes if disability else no)
        sheet.write_string(count, 15, yes if female_head else no)
        sheet.write_string(count, 16, str(statuses.get(status, status)))
    workbook.close()
    return count
