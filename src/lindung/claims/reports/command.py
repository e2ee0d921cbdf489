"""`lindung claims import FILE [--dry-run] [--json]`: the management command calls `run`.

The file is checked first; a file that cannot be used raises ClaimError with the message (the
reader's ReadError message passes through) and nothing is stored. Without --dry-run the report
is kept and committed (`service.commit`): matched claims become DIBAYAR, new ones are recorded;
rows with a problem and unmatched rows change nothing. The same file (SHA-256) a second time
prints its first result and changes nothing.

JSON (a public contract): {rows_total, matched, new, unmatched, problems, unchanged, rows:
[{row, kpj, nik, type, event_date, paid_on, amount, status, claim, errors, message}]}.
`matched` includes the `unchanged` rows (already recorded as paid with the same amount), so
matched + new + unmatched + problems == rows_total. `status` is matched, unchanged, new,
unmatched or problem; `errors` the row's problem codes (docs/formats/claims-report-v1.md);
`type` the ClaimKind value (null when unreadable); dates ISO. The NIK is printed as read (the
command line is for administrators). The command exits 1 when any row has a problem.
"""

import json
from pathlib import Path
from typing import Any, Protocol

import polars as pl
from django.utils.translation import gettext as _

from lindung.audit.actors import Actor
from lindung.claims.reports import check, service, words
from lindung.claims.states import ClaimError
from lindung.formats import format_number
from lindung.sheets import ReadError, sha256_of


class Output(Protocol):
    def write(self, msg: str = "", style_func: Any = None, ending: str | None = None) -> None: ...


def run(
    path: Path, *, dry_run: bool, as_json: bool, stdout: Output, by: Actor | None
) -> dict[str, Any]:
    """Check (and unless `dry_run` commit) the report at `path`; write the result to `stdout`
    and return the JSON object."""
    path = Path(path)
    if not path.is_file():
        raise ClaimError(_("There is no file %(file)s.") % {"file": path})
    try:
        checked = service.check_file(path)
    except ReadError as error:
        raise ClaimError(error.message) from error
    rows = checked.rows
    if dry_run:
        note = _("Nothing saved (--dry-run).")
    elif (earlier := service.committed_with(sha256_of(path))) is not None:
        rows = service.checked_rows(earlier)
        note = _("The same file was saved already (claim report %(number)s): nothing changed.") % {
            "number": earlier.pk
        }
    else:
        report = service.receive(by=by, source=path, file_name=path.name)
        if report.error:
            raise ClaimError(report.error)
        report = service.commit(by=by, report=report)
        rows = service.checked_rows(report)
        note = _("Saved as claim report %(number)s.") % {"number": report.pk}
    result = result_json(rows)
    if as_json:
        stdout.write(json.dumps(result, default=str))
        return result
    _write_text(stdout, path, result, rows, note)
    return result


def _write_text(
    stdout: Output, path: Path, result: dict[str, Any], rows: pl.DataFrame, note: str
) -> None:
    stdout.write(
        _(
            "%(file)s: %(rows)s rows. Matched %(matched)s (of which already recorded "
            "%(unchanged)s), new %(new)s, unmatched %(unmatched)s, problems %(problems)s."
        )
        % {
            "file": path.name,
            "rows": format_number(result["rows_total"]),
            **{
                key: format_number(result[key])
                for key in ("matched", "unchanged", "new", "unmatched", "problems")
            },
        }
    )
    for entry in rows.iter_rows(named=True):
        if entry["status"] in (check.Status.UNMATCHED, check.Status.PROBLEM):
            for text in words.messages(entry):
                stdout.write(f"  [{entry['status']}] {text}")
    stdout.write(note)


def result_json(rows: pl.DataFrame) -> dict[str, Any]:
    """`lindung claims import --json` (a public contract, see the module's docstring)."""
    counts = check.counts(rows)
    return {
        "rows_total": counts["rows_total"],
        "matched": counts["matched"],
        "new": counts["new"],
        "unmatched": counts["unmatched"],
        "problems": counts["problems"],
        "unchanged": counts["unchanged"],
        "rows": [
            {
                "row": entry["row"],
                "kpj": entry["kpj"],
                "nik": entry["nik"],
                "type": entry["kind"],
                "event_date": entry["event_date"].isoformat() if entry["event_date"] else None,
                "paid_on": entry["paid_on"].isoformat() if entry["paid_on"] else None,
                "amount": entry["amount"],
                "status": entry["status"],
                "claim": entry["claim"],
                "errors": list(entry["errors"] or []),
                "message": words.message(entry),
            }
            for entry in rows.iter_rows(named=True)
        ],
    }
