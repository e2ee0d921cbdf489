"""The realisation against the pagu as XLSX and PDF: per funding source, its months with a total
row, then the summary of every source and the warnings (see `realisation`).

    write_xlsx(path, result)   # sheet 1 the months of each source, sheet 2 the summary
    write_pdf(path, result)    # landscape A4: warnings, summary, a table per source

Aggregates only: no person appears, so the files are not audited (like the dashboard's).
"""

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from lindung.billing.realisation import Figures, Month, Realisation
from lindung.formats import EMPTY, format_date, format_number, format_rupiah, month_name
from lindung.pdf import Bold, Document, Rupiah
from lindung.xlsx import Column, Kind, Workbook


def title(result: Realisation) -> str:
    return _("Realisation of contributions against the pagu, fiscal year %(year)s") % {
        "year": result.fiscal_year
    }


def month_header() -> list[str]:
    return [
        _("Month"),
        _("Pagu (monthly share)"),
        _("Committed by the list"),
        _("Billed"),
        _("Paid"),
        _("Paid to date"),
        _("Remaining"),
        _("Forecast"),
        _("Forecast to date"),
    ]


def summary_header() -> list[str]:
    return [
        _("Funding source"),
        _("Pagu"),
        _("Committed by the list"),
        _("Billed"),
        _("Paid"),
        _("Remaining"),
        _("Forecast to December"),
        _("Shortfall"),
        _("Unspent by December"),
        _("Forecast share of the pagu"),
    ]


def month_label(row: Month) -> str:
    return f"{month_name(row.month.month)} {row.month.year}"


def month_values(row: Month) -> list[int]:
    return [
        row.pagu,
        row.committed,
        row.billed,
        row.paid,
        row.paid_to_date,
        row.remaining,
        row.forecast,
        row.forecast_to_date,
    ]


def total_values(figures: Figures) -> list[int]:
    """A source's year in the month columns: the to-date columns hold the year's end."""
    return [
        figures.pagu,
        figures.committed,
        figures.billed,
        figures.paid,
        figures.paid,
        figures.remaining,
        figures.forecast,
        figures.forecast,
    ]


def summary_values(figures: Figures) -> list[int]:
    return [
        figures.pagu,
        figures.committed,
        figures.billed,
        figures.paid,
        figures.remaining,
        figures.forecast,
        figures.shortfall,
        figures.unspent,
    ]


def share_text(share: float | None) -> str:
    return EMPTY if share is None else f"{format_number(share * 100, 1)}%"


def facts(result: Realisation) -> list[str]:
    """The lines under the title: the date of the figures, the deadline, the threshold."""
    return [
        _("Figures as of %(date)s.") % {"date": format_date(result.on)},
        _(
            "Forecast: money paid, plus what the bills still owe and the months of the "
            "registered participants not yet billed, to December."
        ),
        _("APBD-P deadline %(date)s; a warning when more than %(share)s of a pagu stays unspent.")
        % {"date": format_date(result.deadline), "share": share_text(result.threshold)},
    ]


def _summary_rows(result: Realisation) -> list[Figures]:
    return [*result.sources, result.total] if len(result.sources) > 1 else list(result.sources)


def write_xlsx(path: Path, result: Realisation) -> None:
    money = [Column(h, Kind.MONEY, width=16) for h in month_header()[1:]]
    with Workbook(path) as book:
        book.properties(title=title(result), author="Lindung")
        sheet = book.sheet(_("Realisation"))
        sheet.text(0, 0, title(result), book.bold)
        for i, line in enumerate(facts(result), start=1):
            sheet.text(i, 0, line)
        top = len(facts(result)) + 2
        sheet.header(
            top, [Column(_("Funding source"), width=14), Column(_("Month"), width=16), *money]
        )
        row = top + 1
        for figures in result.sources:
            for month in figures.months:
                sheet.row(row, [figures.label, month_label(month), *month_values(month)])
                row += 1
            sheet.row(row, [figures.label, _("Total"), *total_values(figures)], book.bold)
            row += 1
        summary = book.sheet(_("Summary"))
        summary.text(0, 0, title(result), book.bold)
        summary.header(
            2,
            [
                Column(summary_header()[0], width=18),
                *(Column(h, Kind.MONEY, width=16) for h in summary_header()[1:-1]),
                Column(summary_header()[-1], width=12),
            ],
        )
        row = 3
        for figures in _summary_rows(result):
            summary.row(
                row,
                [figures.label, *summary_values(figures), share_text(figures.forecast_share)],
            )
            row += 1
        row += 1
        summary.text(row, 0, _("Warnings"), book.bold)
        for message in [w.message for w in result.warnings] or [_("No warnings.")]:
            row += 1
            summary.text(row, 0, message)


def _money(values: list[int]) -> list[Any]:
    return [Rupiah(v) for v in values]


def write_pdf(path: Path, result: Realisation) -> None:
    with Document(path, header=title(result), landscape=True) as doc:
        doc.heading(title(result))
        doc.text(facts(result))
        doc.space()
        doc.heading(_("Warnings"), size=10, align="left")
        doc.text([w.message for w in result.warnings] or [_("No warnings.")], bold=True)
        doc.space()
        doc.heading(_("Summary"), size=10, align="left")
        rows: list[Any] = [
            [f.label, *_money(summary_values(f)), share_text(f.forecast_share)]
            for f in _summary_rows(result)
        ]
        doc.table(summary_header(), rows, bold_last=len(result.sources) > 1)
        for figures in result.sources:  # each on its own page, its heading with its table
            doc.new_page()
            doc.heading(
                _("%(source)s: pagu %(pagu)s")
                % {"source": figures.label, "pagu": format_rupiah(figures.pagu)},
                size=10,
                align="left",
            )
            table: list[Any] = [[month_label(m), *_money(month_values(m))] for m in figures.months]
            table.append(Bold([_("Total"), *_money(total_values(figures))]))
            doc.table(month_header(), table)
