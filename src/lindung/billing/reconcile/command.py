"""`lindung billing reconcile FILE [--dry-run] [--json]`: the lead's management command calls
`run`. The file is checked first; a file that cannot be used raises BillingError with the
message (the reader's ReadError message passes through) and nothing is stored. Without
--dry-run the recap is kept and committed (`service.commit`); the same file (SHA-256) a
second time prints its first result and changes nothing.

JSON (a public contract): {rows_total, matched, not_on_list, not_active, amount_mismatch,
status_mismatch, rows: [{row, kpj, nik, category, code, message}]}; `row` is null for a
registered participant missing from the file.
"""

import json
from pathlib import Path
from typing import Any, Protocol

import polars as pl
from django.utils.translation import gettext as _

from lindung.audit.actors import Actor
from lindung.billing.reconcile import check, service, words
from lindung.billing.reconcile.check import Category
from lindung.billing.states import BillingError
from lindung.formats import format_number
from lindung.sheets import ReadError, sha256_of


class Output(Protocol):
    def write(self, msg: str = "", style_func: Any = None, ending: str | None = None) -> None: ...


def run(
    path: Path, *, dry_run: bool, as_json: bool, stdout: Output, by: Actor | None
) -> dict[str, Any]:
    """Check (and unless `dry_run` commit) the recap at `path`; write the result to `stdout`
    and return the JSON object."""
    path = Path(path)
    if not path.is_file():
        raise BillingError(_("There is no file %(file)s.") % {"file": path})
    note = ""
    try:
        fiscal_year = service.guess_year(path)
        checked = service.check_file(path, fiscal_year=fiscal_year)
    except ReadError as error:
        raise BillingError(error.message) from error
    rows, rows_total = checked.rows, checked.rows_total
    moves: list[dict[str, Any]] = []
    if dry_run:
        note = _("Nothing saved (--dry-run).")
    elif (earlier := service.committed_with(sha256_of(path), fiscal_year)) is not None:
        rows = service.checked_rows(earlier)
        note = _(
            "The same file was saved already (reconciliation %(number)s): nothing changed."
        ) % {"number": earlier.pk}
    else:
        reconciliation = service.receive(
            by=by, source=path, file_name=path.name, fiscal_year=fiscal_year
        )
        if reconciliation.error:
            raise BillingError(reconciliation.error)
        reconciliation = service.commit(by=by, reconciliation=reconciliation)
        rows = service.checked_rows(reconciliation)
        moves = reconciliation.bills
        note = _("Saved as reconciliation %(number)s.") % {"number": reconciliation.pk}
    result = result_json(rows, rows_total=rows_total, fiscal_year=fiscal_year)
    if as_json:
        stdout.write(json.dumps(result, default=str))
        return result
    _write_text(stdout, path, result, moves, note)
    return result


def _write_text(
    stdout: Output, path: Path, result: dict[str, Any], moves: list[dict[str, Any]], note: str
) -> None:
    stdout.write(
        _(
            "%(file)s: %(rows)s rows. Matched %(matched)s, not on the list %(not_on_list)s, not "
            "active at BPJS %(not_active)s, amount differs %(amount)s, status differs "
            "%(status)s."
        )
        % {
            "file": path.name,
            "rows": format_number(result["rows_total"]),
            "matched": format_number(result[Category.MATCHED]),
            "not_on_list": format_number(result[Category.NOT_ON_LIST]),
            "not_active": format_number(result[Category.NOT_ACTIVE]),
            "amount": format_number(result[Category.AMOUNT_MISMATCH]),
            "status": format_number(result[Category.STATUS_MISMATCH]),
        }
    )
    for entry in result["rows"]:
        if entry["category"] != Category.MATCHED:
            stdout.write(f"  [{entry['code']}] {entry['message']}")
    for move in moves:
        stdout.write(
            _("Bill %(bill)s: %(before)s → %(after)s.")
            % {"bill": move["number"], "before": move["before"], "after": move["after"]}
        )
    stdout.write(note)


def result_json(rows: pl.DataFrame, *, rows_total: int, fiscal_year: int) -> dict[str, Any]:
    """`lindung billing reconcile --json` (a public contract): {rows_total, matched,
    not_on_list, not_active, amount_mismatch, status_mismatch, rows: [{row, kpj, nik,
    category, code, message}]}."""
    counts = check.counts(rows) if not rows.is_empty() else dict.fromkeys(check.Category, 0)
    return {
        "rows_total": rows_total,
        **{str(k): int(v) for k, v in counts.items()},
        "rows": [
            {
                "row": entry["row"],
                "kpj": entry["kpj"],
                "nik": entry["nik"],
                "category": entry["category"],
                "code": entry["code"],
                "message": words.message(entry, fiscal_year=fiscal_year),
            }
            for entry in (rows.iter_rows(named=True) if not rows.is_empty() else [])
        ],
    }
