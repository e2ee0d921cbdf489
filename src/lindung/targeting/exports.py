"""The beneficiary list of a scenario as XLSX (the draft lampiran SK): one row per covered
worker in source and rank order, and totals per source and kecamatan."""

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.regions.models import Region
from lindung.registry.models import Occupation
from lindung.targeting.lists import entry_totals, source_labels
from lindung.targeting.models import (
    Beneficiary,
    BeneficiaryList,
    ChangeKind,
    ListChange,
    Scenario,
    Selection,
)
from lindung.ui.templatetags.lindung_format import (
    format_date,
    format_number,
    mask_nik,
)


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


# --- approved lists ------------------------------------------------------------------------------


def region_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def list_title(approved: BeneficiaryList) -> str:
    return _("Beneficiary list no. %(number)s, fiscal year %(year)s, version %(version)s") % {
        "number": approved.number,
        "year": approved.fiscal_year,
        "version": approved.version,
    }


def _list_subtitle(approved: BeneficiaryList) -> list[str]:
    lines = [
        _("Approved on %(date)s by %(by)s")
        % {"date": format_date(approved.approved_at), "by": approved.approved_by_label}
    ]
    if approved.decree:
        lines.append(_("Decree number: %(decree)s") % {"decree": approved.decree})
    if approved.previous_id is not None and approved.previous is not None:
        lines.append(
            _(
                "Replaces list no. %(number)s: %(added)s added, %(removed)s removed, %(moved)s "
                "with another funding source"
            )
            % {
                "number": approved.previous.number,
                "added": format_number(approved.added),
                "removed": format_number(approved.removed),
                "moved": format_number(approved.moved),
            }
        )
    return lines


def _entry_rows(
    approved: BeneficiaryList, entries: QuerySet[Beneficiary], show_nik: bool
) -> Iterator[tuple[list[Any], str]]:
    """(cells, nik) per entry in source and rank order; cells without the NIK."""
    labels = dict(Occupation.choices)
    sources = source_labels(approved.scenario)
    codes = entries.values_list("desa_id", "kecamatan_id").distinct()
    names = region_names({c for pair in codes for c in pair})
    rows = entries.order_by("source", "rank").values_list(
        "source", "rank", "nik", "name", "sex", "birth_date", "occupation", "desa_id",
        "kecamatan_id", "priority", "cost",
    )  # fmt: skip
    for row in rows.iterator(chunk_size=5000):
        source, rank, nik, name, sex, born, occupation, desa, kecamatan, priority, cost = row
        yield (
            [sources.get(source, source), rank, name, sex, format_date(born),
             str(labels.get(occupation, occupation)), names.get(desa, desa),
             names.get(kecamatan, kecamatan), priority, cost],
            nik if show_nik else mask_nik(nik),
        )  # fmt: skip


def _totals_tables(
    approved: BeneficiaryList, entries: QuerySet[Beneficiary]
) -> list[tuple[str, list[str], list[list[Any]]]]:
    totals = entry_totals(entries)
    sources = source_labels(approved.scenario)
    per_source: list[list[Any]] = [
        [sources.get(code, code), n, cost, int(approved.budgets.get(code, 0))]
        for code, (n, cost) in totals["source"].items()
    ]
    per_source.append(
        [_("Total"), sum(r[1] for r in per_source), sum(r[2] for r in per_source),
         sum(int(b) for b in approved.budgets.values())]
    )  # fmt: skip
    names = region_names(totals["kecamatan"])
    per_kecamatan: list[list[Any]] = [
        [names.get(code, code), n, cost] for code, (n, cost) in totals["kecamatan"].items()
    ]
    per_kecamatan.append(
        [_("Total"), sum(r[1] for r in per_kecamatan), sum(r[2] for r in per_kecamatan)]
    )
    return [
        (_("Per funding source"), [_("Source"), _("Workers"), _("Cost"), _("Budget")], per_source),
        (_("Per kecamatan"), [_("Kecamatan"), _("Workers"), _("Cost")], per_kecamatan),
    ]


ENTRY_HEADER = [
    gettext_noop("Source"), gettext_noop("Rank"), gettext_noop("Name"), gettext_noop("Sex"),
    gettext_noop("Birth date"), gettext_noop("Occupation"), gettext_noop("Desa/kelurahan"),
    gettext_noop("Kecamatan"), gettext_noop("Priority"), gettext_noop("Contribution per year"),
]  # fmt: skip


def write_list_xlsx(
    approved: BeneficiaryList,
    entries: QuerySet[Beneficiary],
    changes: QuerySet[ListChange],
    path: Path,
    *,
    show_nik: bool,
) -> int:
    """The approved list as XLSX: the workers, the totals per source and kecamatan, and the
    differences from the list it replaces. Returns the number of workers written."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0"})
        sheet = workbook.add_worksheet(_("Beneficiaries")[:31])
        sheet.write_string(0, 0, list_title(approved), bold)
        for i, line in enumerate(_list_subtitle(approved), start=1):
            sheet.write_string(i, 0, line)
        top = len(_list_subtitle(approved)) + 2
        header = [_("No"), "NIK", *(_(h) for h in ENTRY_HEADER)]
        sheet.write_row(top, 0, header, bold)
        count = 0
        for count, (cells, nik) in enumerate(_entry_rows(approved, entries, show_nik), start=1):
            sheet.write_number(top + count, 0, count)
            sheet.write_string(top + count, 1, nik)  # text: all 16 digits
            sheet.write_row(top + count, 2, cells[:-1])
            sheet.write_number(top + count, 2 + len(cells) - 1, cells[-1], money)
        totals = workbook.add_worksheet(_("Totals")[:31])
        row = 0
        for title, columns, rows in _totals_tables(approved, entries):
            totals.write_string(row, 0, title, bold)
            totals.write_row(row + 1, 0, columns, bold)
            for i, values in enumerate(rows, start=row + 2):
                totals.write_row(i, 0, values[:2])
                for j, amount in enumerate(values[2:], start=2):
                    totals.write_number(i, j, amount, money)
            row += len(rows) + 3
        if approved.previous_id is not None:
            _write_changes(workbook, changes, show_nik, bold)
    finally:
        workbook.close()
    return count


def _write_changes(
    workbook: xlsxwriter.Workbook, changes: QuerySet[ListChange], show_nik: bool, bold: Any
) -> None:
    sheet = workbook.add_worksheet(_("Changes")[:31])
    sheet.write_row(
        0, 0,
        [_("Change"), "NIK", _("Name"), _("Desa/kelurahan"), _("Kecamatan"), _("Source before"),
         _("Source after")],
        bold,
    )  # fmt: skip
    kinds = dict(ChangeKind.choices)
    rows = changes.order_by("kind", "kecamatan_id", "desa_id", "name").values_list(
        "kind", "nik", "name", "desa_id", "kecamatan_id", "source_before", "source_after"
    )
    codes = changes.values_list("desa_id", "kecamatan_id").distinct()
    names = region_names({c for pair in codes for c in pair})
    for i, (kind, nik, name, desa, kecamatan, before, after) in enumerate(
        rows.iterator(chunk_size=5000), start=1
    ):
        sheet.write_string(i, 0, str(kinds.get(kind, kind)))
        sheet.write_string(i, 1, nik if show_nik else mask_nik(nik))
        sheet.write_row(
            i, 2, [name, names.get(desa, desa), names.get(kecamatan, kecamatan), before, after]
        )


def write_list_pdf_file(
    approved: BeneficiaryList, entries: QuerySet[Beneficiary], path: Path, *, show_nik: bool
) -> int:
    """The approved list as PDF (the lampiran as printed and signed)."""
    from lindung.pdf import Rupiah
    from lindung.regions.queries import deployment_codes
    from lindung.targeting.pdf import write_list_pdf

    kabupaten = region_names(deployment_codes())
    regency = ", ".join(kabupaten.values())
    title = _("Annex to the decree of the regent of %(regency)s") % {"regency": regency}
    header = [_("No"), "NIK", _("Name"), _("Sex"), _("Birth date"), _("Occupation"),
              _("Desa/kelurahan"), _("Kecamatan"), _("Source")]  # fmt: skip

    def rows() -> Iterator[list[str | int]]:
        for number, (cells, nik) in enumerate(_entry_rows(approved, entries, show_nik), start=1):
            source, _rank, name, sex, born, occupation, desa, kecamatan = cells[:8]
            yield [number, nik, name, sex, born, occupation, desa, kecamatan, source]

    totals: list[tuple[str, list[str], list[Sequence[str | int]]]] = [
        (title_, columns, [[Rupiah(v) if j >= 2 else v for j, v in enumerate(r)] for r in table])
        for title_, columns, table in _totals_tables(approved, entries)
    ]
    return write_list_pdf(
        path,
        title=title,
        subtitle_lines=[list_title(approved), *_list_subtitle(approved)],
        header=header,
        rows=rows(),
        totals=totals,
        signature=[_("The regent of %(regency)s") % {"regency": regency}, "", "", "(............)"],
    )
