"""The claims of one's wilayah as XLSX (the claim list's filters apply): one row per claim with
the worker, the event, the verdict, the amounts and the dates, for the Dinas's own follow-up in a
spreadsheet. NIKs as the user may see them; heirs are not listed."""

from collections.abc import Iterable
from pathlib import Path

from django.utils.translation import gettext as _

from lindung.claims.models import Claim
from lindung.formats import mask_nik
from lindung.xlsx import Column, Kind, Workbook


def _columns() -> list[Column]:
    return [
        Column(_("Claim"), width=16),
        Column("NIK", width=19),
        Column(_("Name"), width=28),
        Column(_("Desa"), width=16),
        Column(_("Benefit"), width=34),
        Column(_("Event"), width=12),
        Column(_("Date"), Kind.DATE, width=12),
        Column(_("Cause"), width=22),
        Column(_("Protected?"), width=26),
        Column(_("Why"), width=50),
        Column(_("Funding source"), width=12),
        Column(_("State"), width=18),
        Column(_("Amount by the rules"), Kind.MONEY, width=16),
        Column(_("Submitted to BPJS on"), Kind.DATE, width=12),
        Column(_("BPJS to pay by"), Kind.DATE, width=12),
        Column(_("Date paid"), Kind.DATE, width=12),
        Column(_("Amount paid"), Kind.MONEY, width=16),
        Column(_("Why BPJS refused"), width=30),
    ]


def write_claims(path: Path, claims: Iterable[Claim], *, see_nik: bool) -> int:
    """The claims (with their event and worker selected) into `path`; returns the rows."""
    rows = 0
    with Workbook(path) as book:
        book.properties(title=_("Claims"), author="Lindung")
        sheet = book.sheet(_("Claims"))
        sheet.header(0, _columns())
        for rows, claim in enumerate(claims, start=1):
            event = claim.event
            sheet.row(
                rows,
                [
                    claim.number,
                    claim.worker.nik if see_nik else mask_nik(claim.worker.nik),
                    claim.worker.name,
                    claim.desa_id,
                    str(claim.get_kind_display()),
                    str(event.get_kind_display()),
                    event.occurred_on,
                    str(event.get_cause_display()),
                    str(event.get_verdict_display()),
                    event.verdict_reason,
                    claim.source,
                    str(claim.get_state_display()),
                    claim.expected_amount,
                    claim.submitted_on,
                    claim.bpjs_due,
                    claim.paid_on,
                    claim.paid_amount,
                    claim.rejected_reason,
                ],
            )
    return rows
