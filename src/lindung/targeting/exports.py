"""The beneficiary list of a scenario as XLSX (the draft lampiran SK): one row per covered
worker in source and rank order, and totals per source and kecamatan."""

from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from lindung.registry.models import Occupation
from lindung.targeting.models import Scenario, Selection


def write_lampiran(scenario: Scenario, path: Path) -> int:
    """Write the list to `path`; returns the number of workers listed."""
    rows = (
        Selection.objects.filter(scenario=scenario)
        .order_by("source", "rank")
        .values_list(
            "source",
            "rank",
            "priority",
            "worker__nik",
            "worker__name",
            "worker__sex",
            "worker__birth_date",
            "worker__occupation",
            "worker__desa__name",
            "worker__kecamatan__name",
        )
    )
    labels = dict(Occupation.choices)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0"})
        sheet = workbook.add_worksheet(_("Beneficiaries")[:31])
        sheet.write_string(
            0,
            0,
            _("Beneficiary list, fiscal year %(year)s, scenario %(id)s")
            % {"year": scenario.fiscal_year, "id": scenario.pk},
            bold,
        )
        header = [_("No"), _("Source"), _("Rank"), "NIK", _("Name"), _("Sex"), _("Birth date"),
                  _("Occupation"), _("Desa/kelurahan"), _("Kecamatan"), _("Priority")]  # fmt: skip
        sheet.write_row(2, 0, header, bold)
        count = 0
        for count, row in enumerate(rows.iterator(chunk_size=5000), start=1):
            source, rank, priority, nik, name, sex, born, occupation, desa, kecamatan = row
            values: list[Any] = [count, source, rank]
            sheet.write_row(2 + count, 0, values)
            sheet.write_string(2 + count, 3, nik)  # text: all 16 digits
            sheet.write_row(
                2 + count,
                4,
                [name, sex, born.strftime("%d-%m-%Y"), str(labels.get(occupation, occupation)),
                 desa, kecamatan, priority],
            )  # fmt: skip
        totals = workbook.add_worksheet(_("Totals")[:31])
        totals.write_row(0, 0, [_("Source"), _("Workers"), _("Cost"), _("Budget")], bold)
        for index, (code, figures) in enumerate(sorted(scenario.by_source.items()), start=1):
            totals.write_row(index, 0, [code, figures["selected"]])
            totals.write_number(index, 2, figures["cost"], money)
            totals.write_number(index, 3, figures["budget"], money)
        start = len(scenario.by_source) + 3
        totals.write_row(start, 0, [_("Kecamatan"), _("Workers"), _("Cost")], bold)
        for index, (code, figures) in enumerate(sorted(scenario.by_kecamatan.items()), start=1):
            totals.write_row(start + index, 0, [code, figures["selected"]])
            totals.write_number(start + index, 2, figures["cost"], money)
    finally:
        workbook.close()
    return count
