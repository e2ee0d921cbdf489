"""The beneficiary list of a scenario as XLSX (the draft lampiran SK): one row per covered
worker in source and rank order, and totals per source and kecamatan."""

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.formats import (
    format_date,
    format_number,
    mask_nik,
)
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
from lindung.xlsx import Column, Kind, Workbook


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
    count = 0
    with Workbook(path) as book:
        sheet = book.sheet(_("Beneficiaries"))
        sheet.text(
            0,
            0,
            _("Beneficiary list, fiscal year %(year)s, scenario %(id)s")
            % {"year": scenario.fiscal_year, "id": scenario.pk},
            book.bold,
        )
        sheet.header(2, [Column(_("No"), Kind.INTEGER), Column(_("Source")),
                         Column(_("Rank"), Kind.INTEGER), Column("NIK"), Column(_("Name")),
                         Column(_("Sex")), Column(_("Birth date")), Column(_("Occupation")),
                         Column(_("Desa/kelurahan")), Column(_("Kecamatan")),
                         Column(_("Priority"), Kind.INTEGER)])  # fmt: skip
        for count, row in enumerate(rows.iterator(chunk_size=5000), start=1):
            source, rank, priority, nik, name, sex, born, occupation, desa, kecamatan = row
            sheet.row(
                2 + count,
                [count, source, rank, nik, name, sex, born.strftime("%d-%m-%Y"),
                 str(labels.get(occupation, occupation)), desa, kecamatan, priority],
            )  # fmt: skip
        totals = book.sheet(_("Totals"))
        totals.header(
            0, _totals_columns([_("Source"), _("Workers"), _("Cost"), _("Budget")]), freeze=False
        )
        for index, (code, figures) in enumerate(sorted(scenario.by_source.items()), start=1):
            totals.row(index, [code, figures["selected"], figures["cost"], figures["budget"]])
        start = len(scenario.by_source) + 3
        totals.header(
            start, _totals_columns([_("Kecamatan"), _("Workers"), _("Cost")]), freeze=False
        )
        for index, (code, figures) in enumerate(sorted(scenario.by_kecamatan.items()), start=1):
            totals.row(start + index, [code, figures["selected"], figures["cost"]])
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


def _list_subtitle(approved: BeneficiaryList, changes: QuerySet[ListChange]) -> list[str]:
    """Approval, decree and the differences from the replaced list, counted over `changes` (the
    reader's wilayah: an area operator's file counts their area's changes, not the kabupaten's)."""
    lines = [
        _("Approved on %(date)s by %(by)s")
        % {"date": format_date(approved.approved_at), "by": approved.approved_by_label}
    ]
    if approved.decree:
        lines.append(_("Decree number: %(decree)s") % {"decree": approved.decree})
    if approved.previous_id is not None and approved.previous is not None:
        kinds = dict.fromkeys(ChangeKind.values, 0) | dict(
            changes.values_list("kind").annotate(n=Count("id")).order_by()
        )
        lines.append(
            _(
                "Replaces list no. %(number)s: %(added)s added, %(removed)s removed, %(moved)s "
                "with another funding source"
            )
            % {
                "number": approved.previous.number,
                "added": format_number(kinds[ChangeKind.ADDED]),
                "removed": format_number(kinds[ChangeKind.REMOVED]),
                "moved": format_number(kinds[ChangeKind.MOVED]),
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


ENTRY_COLUMNS = [
    (gettext_noop("Source"), Kind.TEXT), (gettext_noop("Rank"), Kind.INTEGER),
    (gettext_noop("Name"), Kind.TEXT), (gettext_noop("Sex"), Kind.TEXT),
    (gettext_noop("Birth date"), Kind.TEXT),  # text: "28 Mei 2024", as on the page
    (gettext_noop("Occupation"), Kind.TEXT), (gettext_noop("Desa/kelurahan"), Kind.TEXT),
    (gettext_noop("Kecamatan"), Kind.TEXT), (gettext_noop("Priority"), Kind.INTEGER),
    (gettext_noop("Contribution per year"), Kind.MONEY),
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
    count = 0
    with Workbook(path) as book:
        sheet = book.sheet(_("Beneficiaries"))
        sheet.text(0, 0, list_title(approved), book.bold)
        subtitle = _list_subtitle(approved, changes)
        for i, line in enumerate(subtitle, start=1):
            sheet.text(i, 0, line)
        top = len(subtitle) + 2
        entry = [Column(_(header), kind) for header, kind in ENTRY_COLUMNS]
        sheet.header(top, [Column(_("No"), Kind.INTEGER), Column("NIK"), *entry])
        for count, (cells, nik) in enumerate(_entry_rows(approved, entries, show_nik), start=1):
            sheet.row(top + count, [count, nik, *cells])
        totals = book.sheet(_("Totals"))
        row = 0
        for title, columns, rows in _totals_tables(approved, entries):
            totals.text(row, 0, title, book.bold)
            totals.header(row + 1, _totals_columns(columns), freeze=False)
            for i, values in enumerate(rows, start=row + 2):
                totals.row(i, values)
            row += len(rows) + 3
        if approved.previous_id is not None:
            _write_changes(book, changes, show_nik)
    return count


def _totals_columns(headers: list[str]) -> list[Column]:
    """A totals table: the source or kecamatan, workers, then amounts (cost, budget)."""
    first, workers, *amounts = headers
    return [Column(first), Column(workers, Kind.INTEGER), *(Column(h, Kind.MONEY) for h in amounts)]


def _write_changes(book: Workbook, changes: QuerySet[ListChange], show_nik: bool) -> None:
    sheet = book.sheet(_("Changes"))
    sheet.header(
        0,
        [Column(h) for h in [_("Change"), "NIK", _("Name"), _("Desa/kelurahan"), _("Kecamatan"),
                             _("Source before"), _("Source after")]],
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
        sheet.row(
            i,
            [str(kinds.get(kind, kind)), nik if show_nik else mask_nik(nik), name,
             names.get(desa, desa), names.get(kecamatan, kecamatan), before, after],
        )  # fmt: skip


def write_list_pdf_file(
    approved: BeneficiaryList,
    entries: QuerySet[Beneficiary],
    changes: QuerySet[ListChange],
    path: Path,
    *,
    show_nik: bool,
) -> int:
    """The approved list as PDF (the lampiran as printed and signed)."""
    from lindung.pdf import Rupiah
    from lindung.regions.scope import deployment_codes
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
        subtitle_lines=[list_title(approved), *_list_subtitle(approved, changes)],
        header=header,
        rows=rows(),
        totals=totals,
        signature=[_("The regent of %(regency)s") % {"regency": regency}, "", "", "(............)"],
    )
