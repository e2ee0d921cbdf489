"""The impact of a fiscal year as tables (the page, XLSX and PDF show the same), as XLSX (a sheet
per table) and as one A4 page for the Bupati (`claims.impact`).

    for table in tables(result): table.title, table.columns, table.rows, table.total
    write_xlsx(path, result, on=date)
    write_pdf(path, result, on=date, area="Kabupaten Lombok Timur")

`result` is `impact(...)`, or `conceal(impact(...))` for roles that see no persons: a hidden
cell holds the text "< 5" and is written as it is. Aggregates only: the files are not audited
(like the dashboard's and the realisation's).
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _

from lindung.formats import EMPTY, format_date, format_number, format_rupiah
from lindung.pdf import Bold, Document, Rupiah
from lindung.xlsx import Column as XlsxColumn
from lindung.xlsx import Kind, Workbook

CellKind = Literal["text", "money", "count", "ratio", "decimal"]


@dataclass(frozen=True)
class Column:
    title: str
    kind: CellKind = "text"


@dataclass(frozen=True)
class Table:
    key: str  # by_source, by_type, by_kecamatan, by_occupation, by_desil, expected
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    sheet: str = ""  # the XLSX sheet's name (at most 31 characters)


def title(result: Mapping[str, Any]) -> str:
    return _("Impact of the protection of vulnerable workers, fiscal year %(year)s") % {
        "year": result["year"]
    }


def cell_text(value: Any, kind: CellKind) -> str:
    """A cell as the page and the PDF print it: a hidden cell ("< 5") as it is."""
    if isinstance(value, str):
        return value
    if value is None:
        return EMPTY
    if kind == "money":
        return format_rupiah(value)
    if kind in ("ratio", "decimal"):
        return format_number(value, 2)
    return format_number(value)


def _row_columns(first: str) -> list[Column]:
    return [
        Column(first),
        Column(_("Premiums paid"), "money"),
        Column(_("Benefits paid"), "money"),
        Column(_("Ratio"), "ratio"),
        Column(_("Families"), "count"),
        Column(_("Children with a scholarship"), "count"),
        Column(_("Cases"), "count"),
        Column(_("Paid cases"), "count"),
    ]


def _row(row: Mapping[str, Any]) -> list[Any]:
    return [
        row["label"],
        row["premiums"],
        row["benefits"],
        row["ratio"],
        row["families"],
        row["children"],
        row["cases"],
        row["paid_cases"],
    ]


def _total(result: Mapping[str, Any]) -> list[Any]:
    return [
        _("Total"),
        result["premiums"],
        result["benefits"],
        result["ratio"],
        result["families"],
        result["children"],
        result["cases"],
        result["paid_cases"],
    ]


def expected_table(result: Mapping[str, Any]) -> Table:
    expected = result["expected"]
    return Table(
        key="expected",
        title=_("Expected and actual deaths and accidents"),
        sheet=_("Expected and actual"),
        columns=[
            Column(_("Age band")),
            Column(_("Participant-years"), "decimal"),
            Column(_("Deaths per 1.000"), "decimal"),
            Column(_("Expected deaths"), "decimal"),
            Column(_("Reported deaths"), "count"),
            Column(_("Accidents per 1.000"), "decimal"),
            Column(_("Expected accidents"), "decimal"),
            Column(_("Reported accidents"), "count"),
        ],
        rows=[
            [
                band["band"],
                band["participant_years"],
                band["death_rate"],
                band["expected_deaths"],
                band["actual_deaths"],
                band["accident_rate"],
                band["expected_accidents"],
                band["actual_accidents"],
            ]
            for band in expected["bands"]
        ],
        total=[
            _("Total"),
            expected["participant_years"],
            None,
            expected["deaths"],
            expected["actual_deaths"],
            None,
            expected["accidents"],
            expected["actual_accidents"],
        ],
    )


def type_table(result: Mapping[str, Any]) -> Table:
    return Table(
        key="by_type",
        title=_("Cases by type of benefit"),
        sheet=_("Types of benefit"),
        columns=[
            Column(_("Benefit")),
            Column(_("Cases"), "count"),
            Column(_("Paid cases"), "count"),
            Column(_("Benefits paid"), "money"),
        ],
        rows=[
            [row["label"], row["cases"], row["paid_cases"], row["benefits"]]
            for row in result["by_type"].values()
        ],
        total=[_("Total"), result["cases"], result["paid_cases"], result["benefits"]],
    )


def tables(result: Mapping[str, Any]) -> list[Table]:
    """Every table of the impact, in the page's order."""
    breakdowns = [
        ("by_source", _("By funding source"), _("Funding source"), _("Funding sources")),
        ("by_kecamatan", _("By kecamatan"), _("Kecamatan"), _("Kecamatan")),
        ("by_occupation", _("By occupation"), _("Occupation"), _("Occupations")),
        ("by_desil", _("By desil"), _("Desil"), _("Desil")),
    ]
    found = [
        Table(
            key=key,
            title=heading,
            columns=_row_columns(first),
            rows=[_row(row) for row in result[key].values()],
            total=_total(result),
            sheet=sheet,
        )
        for key, heading, first, sheet in breakdowns
    ]
    return [found[0], type_table(result), *found[1:], expected_table(result)]


def headline(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headline figures as (label, text)."""
    return [
        (_("Premiums paid"), cell_text(result["premiums"], "money")),
        (_("Benefits paid"), cell_text(result["benefits"], "money")),
        (_("Ratio of benefits to premiums"), cell_text(result["ratio"], "ratio")),
        (_("Families reached"), cell_text(result["families"], "count")),
        (_("Children with a scholarship"), cell_text(result["children"], "count")),
    ]


def notes(result: Mapping[str, Any]) -> list[str]:
    """What the figures mean, in a few lines (the page, the XLSX and the PDF)."""
    lines = [
        _(
            "Premiums: the money paid on the regency's bills for the months it protected, less "
            "the months refunded. Self-payers' own premiums are unknown and not included."
        ),
        _(
            "Ratio: benefits paid for sponsored workers divided by the premiums. Families: "
            "workers with a paid claim. Children: heirs at school given a scholarship (at most "
            "two per claim)."
        ),
        _(
            "Expected: participant-years (paid months / 12) by age on 1 July times the rates per "
            "1.000 participant-years; reported: the events of sponsored workers."
        ),
    ]
    if not result["expected"]["rates_verified"]:
        lines.append(
            _("UNVERIFIED rates: the expected figures use default rates not yet confirmed.")
        )
    if result.get("hidden"):
        lines.append(
            _("< 5: fewer than 5 (or a figure from which one could be worked out), hidden.")
        )
    return lines


# ---------------------------------------------------------------------------------------------
# XLSX

_XLSX_KINDS: dict[CellKind, Kind] = {
    "text": Kind.TEXT,
    "money": Kind.MONEY,
    "count": Kind.INTEGER,
    "ratio": Kind.INTEGER,  # a number cell (xlsx writes floats as numbers too)
    "decimal": Kind.INTEGER,
}


def write_xlsx(path: Path, result: Mapping[str, Any], *, on: datetime.date) -> None:
    with Workbook(path) as book:
        book.properties(title=title(result), author="Lindung")
        summary = book.sheet(_("Summary"))
        summary.text(0, 0, title(result), book.bold)
        summary.text(1, 0, _("Printed on %(date)s.") % {"date": format_date(on)})
        summary.header(
            3, [XlsxColumn(_("Figure"), width=34), XlsxColumn(_("Value"), Kind.INTEGER, width=20)]
        )
        row = 4
        for label, value in _headline_values(result):
            summary.row(row, [label, value])
            row += 1
        row += 1
        for line in notes(result):
            summary.text(row, 0, line)
            row += 1
        for table in tables(result):
            sheet = book.sheet(table.sheet or table.title)
            sheet.text(0, 0, f"{title(result)}: {table.title}", book.bold)
            columns = [
                XlsxColumn(c.title, _XLSX_KINDS[c.kind], width=30 if i == 0 else 16)
                for i, c in enumerate(table.columns)
            ]
            sheet.header(2, columns)
            for i, values in enumerate(table.rows, start=3):
                sheet.row(i, values)
            if table.total is not None:
                sheet.row(3 + len(table.rows), table.total, book.bold)


def _headline_values(result: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [
        (_("Premiums paid"), result["premiums"]),
        (_("Benefits paid"), result["benefits"]),
        (_("Ratio of benefits to premiums"), result["ratio"]),
        (_("Families reached"), result["families"]),
        (_("Children with a scholarship"), result["children"]),
        (_("Cases"), result["cases"]),
        (_("Paid cases"), result["paid_cases"]),
    ]


# ---------------------------------------------------------------------------------------------
# PDF


def _pdf_cell(value: Any, kind: CellKind) -> Any:
    if kind == "money" and isinstance(value, int):
        return Rupiah(value)
    if kind == "count" and isinstance(value, int):
        return value
    return cell_text(value, kind)


def _pdf_rows(table: Table) -> list[Any]:
    kinds = [c.kind for c in table.columns]
    rows: list[Any] = [
        [_pdf_cell(v, k) for v, k in zip(values, kinds, strict=True)] for values in table.rows
    ]
    if table.total is not None:
        rows.append(Bold([_pdf_cell(v, k) for v, k in zip(table.total, kinds, strict=True)]))
    return rows


def write_pdf(path: Path, result: Mapping[str, Any], *, on: datetime.date, area: str = "") -> None:
    """One A4 page for the Bupati: the headline, by funding source and by type, expected and
    actual, the date printed."""
    with Document(path, header=title(result)) as doc:
        doc.heading(title(result))
        lines = [area] if area else []
        doc.text([*lines, _("Printed on %(date)s.") % {"date": format_date(on)}], align="center")
        doc.space()
        doc.table([_("Figure"), _("Value")], [list(pair) for pair in headline(result)])
        doc.space()
        by_type = type_table(result)
        by_source = tables(result)[0]
        for table in (by_source, by_type):
            doc.heading(table.title, size=10, align="left")
            doc.table([c.title for c in table.columns], _pdf_rows(table))
            doc.space()
        expected = expected_table(result)
        doc.heading(expected.title, size=10, align="left")
        doc.table([c.title for c in expected.columns], _pdf_rows(_without_empty_bands(expected)))
        doc.space()
        doc.text(notes(result))


def _without_empty_bands(table: Table) -> Table:
    """The bands that hold participant-years or events (the page fits on one sheet)."""
    rows = [r for r in table.rows if _filled(r[1:2]) or _filled([r[4], r[7]])]
    return Table(table.key, table.title, table.columns, rows, table.total, table.sheet)


def _filled(values: Sequence[Any]) -> bool:
    return any(isinstance(v, str) or (v or 0) > 0 for v in values)
