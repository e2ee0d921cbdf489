"""The error report: the file's own rows and columns, plus what happened to each row and what to
fix, so that an operator corrects it in Excel and uploads it again.

Every cell is written as text (a NIK stays 16 digits); rejected rows are shaded. Good rows are
kept: uploading the corrected report again leaves them `unchanged`.
"""

from pathlib import Path

import polars as pl
import xlsxwriter
from django.utils.translation import gettext as _

from lindung.registry.pipeline.codes import RowStatus, message_for


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
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False}
    )
    try:
        sheet = workbook.add_worksheet(_("Import result")[:31])
        text = workbook.add_format({"num_format": "@"})
        header = workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
        rejected = workbook.add_format({"num_format": "@", "bg_color": "#FDE2E1"})
        note = workbook.add_format({"num_format": "@", "text_wrap": True})
        for col, name in enumerate([*data_columns, *added]):
            sheet.write_string(0, col, str(name), header)
        for index, row in enumerate(joined.iter_rows(named=True), start=1):
            status = row["status"] or RowStatus.REJECTED.value
            cell = rejected if status == RowStatus.REJECTED else text
            for col, name in enumerate(data_columns):
                value = row[name]
                if value is not None:
                    sheet.write_string(index, col, str(value), cell)
            base = len(data_columns)
            errors, warnings = row["errors"] or [], row["warnings"] or []
            sheet.write_string(index, base, str(row["_row"]), cell)
            sheet.write_string(index, base + 1, status_label(status), cell)
            sheet.write_string(index, base + 2, " ".join([*errors, *warnings]), cell)
            sheet.write_string(index, base + 3, explain(errors, warnings), note)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, joined.height, len(data_columns) + len(added) - 1)
        sheet.set_column(len(data_columns) + 3, len(data_columns) + 3, 80)
    finally:
        workbook.close()
    return joined.height
