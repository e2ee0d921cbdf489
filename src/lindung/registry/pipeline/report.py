"""The error report: the file's own rows and columns, plus what happened to each row and what to
fix, so that an operator corrects it in Excel and uploads it again.

Every cell is written as text (a NIK stays 16 digits; a formula-like text gets a leading
apostrophe, see lindung.xlsx); rejected rows are shaded. Good rows are kept: uploading the
corrected report again leaves them `unchanged`.
"""

from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from lindung.registry.pipeline.codes import RowStatus, message_for
from lindung.xlsx import Column, Workbook


def status_label(status: str) -> str:
    labels = {
        RowStatus.NEW: _("new"),
        RowStatus.UPDATED: _("updated"),
        RowStatus.UNCHANGED: _("unchanged"),
        RowStatus.REJECTED: _("rejected"),
    }
    return str(labels.get(RowStatus(status), status))


def explain(errors: list[str], warnings: list[str]) -> str:
    """The messages of a row's codes, errors first, one sentence block per code."""
    parts = [f"{code}: {message_for(code)}" for code in errors]
    parts += [f"{code}: {message_for(code, warning=True)}" for code in warnings]
    return "\n".join(parts)


def write_report(original: pl.DataFrame, outcomes: pl.DataFrame, path: Path) -> int:
    """Write the report to `path`; returns the number of rows written.

    `original` is Sheet.original (text columns and `_row`); `outcomes` has `_row`, `status`,
    `errors` and `warnings` (lists of codes).
    """
    joined = original.join(
        outcomes.select("_row", "status", "errors", "warnings"), on="_row", how="left"
    ).sort("_row")
    data_columns = [c for c in original.columns if c != "_row"]
    added = [_("Row in uploaded file"), _("Import status"), _("Codes"), _("What to fix")]
    with Workbook(path) as book:
        sheet = book.sheet(_("Import result"))
        text = book.style({"num_format": "@"})
        header = book.style({"bold": True, "bg_color": "#E8EEF4", "border": 1})
        rejected = book.style({"num_format": "@", "bg_color": "#FDE2E1"})
        note = book.style({"num_format": "@", "text_wrap": True})
        columns = [Column(str(name)) for name in [*data_columns, *added[:-1]]]
        sheet.header(0, [*columns, Column(str(added[-1]), width=80)], style=header)
        for index, row in enumerate(joined.iter_rows(named=True), start=1):
            status = row["status"] or RowStatus.REJECTED.value
            errors, warnings = row["errors"] or [], row["warnings"] or []
            values = [row[name] for name in data_columns]
            values += [str(row["_row"]), status_label(status), " ".join([*errors, *warnings])]
            sheet.row(index, values, rejected if status == RowStatus.REJECTED else text)
            sheet.text(index, len(values), explain(errors, warnings), note)
    return joined.height
