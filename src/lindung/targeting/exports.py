"""The beneficiary list of a scenario as XLSX (the draft lampiran SK): one row per covered
worker in source and rank order, and totals per source and kecamatan. The pieces the lampiran
of an approved list shares (`targeting.lampiran`): region names, the totals tables, the
changes sheet."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lindung.formats import (
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
            0, totals_columns([_("Source"), _("Workers"), _("Cost"), _("Budget")]), freeze=False
        )
        for index, (code, figures) in enumerate(sorted(scenario.by_source.items()), start=1):
            totals.row(index, [code, figures["selected"], figures["cost"], figures["budget"]])
        start = len(scenario.by_source) + 3
        totals.header(
            start, totals_columns([_("Kecamatan"), _("Workers"), _("Cost")]), freeze=False
        )
        for index, (code, figures) in enumerate(sorted(scenario.by_kecamatan.items()), start=1):
            totals.row(start + index, [code, figures["selected"], figures["cost"]])
    return count


# --- approved lists ------------------------------------------------------------------------------


def region_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def totals_tables(
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


def totals_columns(headers: list[str]) -> list[Column]:
    """A totals table: the source or kecamatan, workers, then amounts (cost, budget)."""
    first, workers, *amounts = headers
    return [Column(first), Column(workers, Kind.INTEGER), *(Column(h, Kind.MONEY) for h in amounts)]


def write_changes_sheet(
    book: Workbook,
    changes: QuerySet[ListChange],
    show_nik: bool,
    sources: dict[str, str] | None = None,
) -> None:
    """The differences from the list a revision replaces, on their own sheet (funding sources by
    their label in `sources`, e.g. apbd → APBD)."""
    sources = sources or {}
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
             names.get(desa, desa), names.get(kecamatan, kecamatan),
             sources.get(before, before), sources.get(after, after)],
        )  # fmt: skip
