"""The registry list as an XLSX workbook (the list page's current filter)."""

from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.bulk import ordered_rows
from lindung.formats import mask_nik
from lindung.registry.models import Occupation, Sex, WorkerQuerySet, WorkerStatus
from lindung.roles import Capability
from lindung.xlsx import Column, Kind, Workbook

# Excel holds 1.048.576 rows a sheet; beyond this, narrow the filter.
EXPORT_LIMIT = 1_000_000
PROGRESS_EVERY = 1000
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


def write_workers_xlsx(
    workers: WorkerQuerySet,
    *,
    viewer: User,
    out: Path,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Write `workers` (at most EXPORT_LIMIT, by name) to `out`; returns the row count.
    `progress` is told the rows written so far, every PROGRESS_EVERY rows.

    NIK and No. KK are text cells (a number would lose digits), masked unless `viewer` has
    VIEW_NIK; every text goes through lindung.xlsx, so `=HYPERLINK(...)` stays text. The
    workbook streams rows to disk (constant_memory) whatever the size.
    """
    show_nik = viewer.can(Capability.VIEW_NIK)
    columns = [
        Column("NIK", width=19),
        Column(_("No. KK"), width=19),
        Column(_("Name"), width=28),
        Column(_("Sex")),
        Column(_("Birth date"), Kind.DATE),
        Column(_("Birth place")),
        Column(_("Phone")),
        Column(_("Address"), width=30),
        Column(_("Kecamatan")),
        Column(_("Desa/kelurahan")),
        Column(_("Desa code")),
        Column(_("Occupation")),
        Column(_("Monthly income"), Kind.MONEY),
        Column(_("Desil"), Kind.INTEGER),
        Column(_("Disability")),
        Column(_("Female head of household")),
        Column(_("Status")),
    ]
    yes, no = _("yes"), _("no")
    sexes, occupations, statuses = (
        dict(Sex.choices),
        dict(Occupation.choices),
        dict(WorkerStatus.choices),
    )
    rows = ordered_rows(workers.order_by("name_key", "id"), _COLUMNS, limit=EXPORT_LIMIT)
    count = 0
    with Workbook(out) as book:
        sheet = book.sheet(_("Workers"))
        sheet.header(0, columns)
        for count, row in enumerate(rows, start=1):
            (nik, no_kk, name, sex, born, place, phone, address, kecamatan, desa, desa_code,
             occupation, income, desil, disability, female_head, status) = row  # fmt: skip
            sheet.row(
                count,
                [nik if show_nik else mask_nik(nik), no_kk if show_nik else mask_nik(no_kk),
                 name, str(sexes.get(sex, sex)), born, place,
                 phone if show_nik else mask_nik(phone), address, kecamatan, desa, desa_code,
                 str(occupations.get(occupation, occupation)), income, desil,
                 yes if disability else no, yes if female_head else no,
                 str(statuses.get(status, status))],
            )  # fmt: skip
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    return count
