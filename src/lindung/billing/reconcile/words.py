"""What each entry of a reconciliation means and what to do, in the user's language: the
code legend and one message per entry (it names the row and the KPJ, never a NIK or a name)."""

import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.billing.reconcile.check import RowCode
from lindung.enrollment.models import EndReason, State
from lindung.formats import EMPTY, format_rupiah, month_name

# What each code means, for the preview's legend.
CODE_LABELS: dict[str, str] = {
    RowCode.MATCHED: gettext_noop("BPJS and Lindung agree."),
    RowCode.INACTIVE_BOTH: gettext_noop("Not active at BPJS and not a participant in Lindung."),
    RowCode.UNKNOWN_MEMBER: gettext_noop("Neither the KPJ nor the NIK is known to Lindung."),
    RowCode.NOT_ON_LIST: gettext_noop("Active at BPJS but not on the approved list."),
    RowCode.NOT_ACTIVE_AT_BPJS: gettext_noop("Registered in Lindung, not active at BPJS."),
    RowCode.MISSING_FROM_RECAP: gettext_noop("Registered in Lindung, missing from the recap."),
    RowCode.AMOUNT_DIFFERS: gettext_noop("BPJS received another amount than Lindung paid."),
    RowCode.AMOUNT_UNREADABLE: gettext_noop("The amount cannot be read."),
    RowCode.PAID_THROUGH_DIFFERS: gettext_noop("Paid through another month than in Lindung."),
    RowCode.DATE_UNREADABLE: gettext_noop("The paid-through month cannot be read."),
    RowCode.STATUS_UNREADABLE: gettext_noop("The status cannot be read."),
    RowCode.ENDED_BUT_ACTIVE: gettext_noop("Ended or lapsed in Lindung, active at BPJS."),
    RowCode.NOT_REGISTERED_BUT_ACTIVE: gettext_noop(
        "Not yet registered in Lindung, active at BPJS."
    ),
    RowCode.IDENTITY_DIFFERS: gettext_noop("KPJ and NIK of different participants."),
}


def _month_text(day: datetime.date | None) -> str:
    return f"{month_name(day.month)} {day.year}" if day else EMPTY


def where(entry: dict[str, Any]) -> str:
    """How a message names its entry: the row and KPJ, or the KPJ of a missing participant."""
    kpj = entry.get("kpj") or ""
    if entry.get("row") is None:
        return _("KPJ %(kpj)s (not in the file)") % {"kpj": kpj or EMPTY}
    if kpj:
        return _("Row %(row)s (KPJ %(kpj)s)") % {"row": entry["row"], "kpj": kpj}
    return _("Row %(row)s") % {"row": entry["row"]}


def message(entry: dict[str, Any], *, fiscal_year: int) -> str:
    """What an entry means and what to do, in the user's language (no NIK, no name)."""
    code = entry["code"]
    values = {
        "year": fiscal_year,
        "state": str(State(entry["state"]).label) if entry.get("state") else EMPTY,
        "reason": _reason(entry),
        "status": entry.get("status_text") or EMPTY,
        "text": entry.get("status_text") or "",
        "wadah": entry.get("wadah") or EMPTY,
        "bpjs": _month_text(entry.get("paid_through")),
        "lindung": _month_text(entry.get("paid_until")),
        "bpjs_amount": format_rupiah(entry.get("amount")),
        "lindung_amount": format_rupiah(entry.get("lindung_amount")),
        "difference": format_rupiah(
            (entry.get("amount") or 0) - (entry.get("lindung_amount") or 0)
        ),
        "until": _month_text(entry.get("window_end")),
        "month_text": entry.get("paid_through_text") or "",
        "amount_text": entry.get("amount_text") or "",
    }
    return f"{where(entry)}: {_body(code, entry) % values}"


def _reason(entry: dict[str, Any]) -> str:
    if entry.get("state") == State.BERAKHIR.value and entry.get("end_reason"):
        return str(EndReason(entry["end_reason"]).label)
    return str(EndReason.LAPSED.label)


def _body(code: str, entry: dict[str, Any]) -> str:
    if code == RowCode.STATUS_UNREADABLE and not entry.get("status_text"):
        return _(
            "the row gives no status, no paid-through month and no amount. Ask the branch for "
            "the member's status."
        )
    bodies = {
        RowCode.MATCHED: _("the recap agrees with Lindung. Nothing to do."),
        RowCode.INACTIVE_BOTH: _(
            "not active at BPJS and not a registered participant of %(year)s in Lindung. "
            "Nothing to do."
        ),
        RowCode.UNKNOWN_MEMBER: _(
            "neither the KPJ nor the NIK is known to Lindung. Ask the branch why this member is "
            "in the wadah; if the regency does not pay for them, ask the branch to move them "
            "out."
        ),
        RowCode.NOT_ON_LIST: _(
            "BPJS counts this member as active, but the worker is not on the approved list of "
            "%(year)s. Ask the branch to end the membership in the wadah, or put the worker on "
            "the list by a revision."
        ),
        RowCode.NOT_ACTIVE_AT_BPJS: _(
            "registered in Lindung and on the list, but BPJS says “%(status)s”. Ask the branch "
            "to activate the membership again, or end the participation in Lindung."
        ),
        RowCode.MISSING_FROM_RECAP: _(
            "registered in Lindung (wadah %(wadah)s) but missing from the recap. Ask the branch "
            "whether the membership is active."
        ),
        RowCode.AMOUNT_DIFFERS: _(
            "BPJS received %(bpjs_amount)s, Lindung paid %(lindung_amount)s for January to "
            "%(until)s (difference %(difference)s). Compare the payments of the worker's bills "
            "with the branch's contribution statement."
        ),
        RowCode.AMOUNT_UNREADABLE: _(
            "the amount “%(amount_text)s” cannot be read as rupiah. Correct it (for example "
            "16.800) or ask the branch for the recap again."
        ),
        RowCode.PAID_THROUGH_DIFFERS: _(
            "BPJS has contributions paid through %(bpjs)s, Lindung through %(lindung)s. Check "
            "the payments of the worker's bills with the branch."
        ),
        RowCode.DATE_UNREADABLE: _(
            "“%(month_text)s” is not a month (paid through). Write it as 2027-06 or Juni 2027, "
            "or ask the branch for the recap again."
        ),
        RowCode.STATUS_UNREADABLE: _(
            "the status “%(text)s” cannot be read as active or not active. Correct it (Aktif or "
            "Non Aktif) or ask the branch what it means."
        ),
        RowCode.ENDED_BUT_ACTIVE: _(
            "Lindung ended this participation (%(reason)s), but BPJS still counts the member as "
            "active. Ask the branch to end the membership, or correct the participation in "
            "Lindung."
        ),
        RowCode.NOT_REGISTERED_BUT_ACTIVE: _(
            "BPJS counts this member as active, but in Lindung the participation is "
            "“%(state)s”. Upload the branch's answer to the registration batch so that Lindung "
            "records the KPJ."
        ),
        RowCode.IDENTITY_DIFFERS: _(
            "the KPJ and the NIK of this row belong to different participants in Lindung. Check "
            "both with the branch and correct the wrong one."
        ),
    }
    return bodies[RowCode(code)]
