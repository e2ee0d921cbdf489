"""What each checked row of a claim report means and what to do, in the user's language: the
status legend and one message per row, naming the row, the KPJ and the field (never a NIK or
a name)."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.claims.models import ClaimKind, ClaimState
from lindung.claims.reports.check import EVENT_WINDOW_DAYS, Code, Status
from lindung.formats import EMPTY, format_date, format_rupiah

STATUS_LABELS: dict[str, str] = {
    Status.MATCHED: gettext_noop("Matched to a recorded claim"),
    Status.UNCHANGED: gettext_noop("Already recorded as paid"),
    Status.NEW: gettext_noop("New: paid by BPJS, not recorded in Lindung"),
    Status.UNMATCHED: gettext_noop("Unmatched: worker not in Lindung"),
    Status.PROBLEM: gettext_noop("Problems"),
}


def where(entry: dict[str, Any]) -> str:
    kpj = entry.get("kpj") or ""
    if kpj:
        return _("Row %(row)s (KPJ %(kpj)s)") % {"row": entry["row"], "kpj": kpj}
    return _("Row %(row)s") % {"row": entry["row"]}


def kind_label(kind: str | None) -> str:
    return str(ClaimKind(kind).label) if kind in ClaimKind.values else EMPTY


def message(entry: dict[str, Any]) -> str:
    """What a checked row means and what to do (the first of its problems, if any)."""
    return f"{where(entry)}: {body(entry['code'], entry)}"


def messages(entry: dict[str, Any]) -> list[str]:
    """One message per problem of the row (one message for a row without problems)."""
    codes = list(entry.get("errors") or []) or [entry["code"]]
    return [f"{where(entry)}: {body(code, entry)}" for code in codes]


def body(code: str, entry: dict[str, Any]) -> str:
    values = {
        "type": entry.get("type_text") or "",
        "kind": kind_label(entry.get("kind")),
        "event": entry.get("event_text") or "",
        "paid": entry.get("paid_text") or "",
        "amount_text": entry.get("amount_text") or "",
        "event_date": format_date(entry.get("event_date")),
        "paid_on": format_date(entry.get("paid_on")),
        "amount": format_rupiah(entry.get("amount")),
        "claim": entry.get("claim") or EMPTY,
        "claim_date": format_date(entry.get("claim_event_date")),
        "claim_amount": format_rupiah(entry.get("claim_paid_amount")),
        "state": str(ClaimState(entry["claim_state"]).label)
        if entry.get("claim_state") in ClaimState.values
        else EMPTY,
        "days": EVENT_WINDOW_DAYS,
    }
    bodies = {
        Code.MATCHED: _(
            "matches claim %(claim)s (%(state)s). Saving records it as paid on %(paid_on)s, "
            "%(amount)s."
        ),
        Code.UNCHANGED: _(
            "claim %(claim)s is recorded as paid with the same amount already. Nothing to do."
        ),
        Code.NEW: _(
            "no claim of this worker for %(kind)s around %(event_date)s is recorded in Lindung. "
            "Saving records the event and the claim as paid on %(paid_on)s, %(amount)s."
        ),
        Code.UNKNOWN_WORKER: _(
            "neither the KPJ nor the NIK is known to Lindung. The claim is not recorded; ask "
            "the branch whether this worker belongs to the regency's participants."
        ),
        Code.NOT_A_PARTICIPANT: _(
            "the worker is in the registry but was never a participant paid by the regency. "
            "The claim is not recorded."
        ),
        Code.IDENTITY_MISSING: _(
            "the columns KPJ and NIK are both empty. Fill in the worker's KPJ or NIK and upload "
            "the file again."
        ),
        Code.NIK_INVALID: _(
            "the NIK is not a valid NIK (16 digits with the region and the birth date). Correct "
            "the column NIK, or leave it empty when the KPJ is filled in."
        ),
        Code.NIK_LOST_DIGITS: _(
            "Excel stored the NIK as a number and lost its last digit. Format the column NIK as "
            "Text and type the NIK again."
        ),
        Code.TYPE_MISSING: _(
            "the column Jenis Klaim (the benefit type) is empty. Write JKM, JKK Meninggal, "
            "Cacat, STMB or Perawatan."
        ),
        Code.TYPE_UNKNOWN: _(
            "the benefit type “%(type)s” cannot be read. Write JKM, JKK Meninggal, Cacat, STMB "
            "or Perawatan."
        ),
        Code.EVENT_DATE_MISSING: _(
            "the column Tanggal Kejadian (the event date) is empty. Fill in the date of the "
            "death or the accident."
        ),
        Code.EVENT_DATE_UNREADABLE: _(
            "the event date “%(event)s” is not a date. Write it as 03-05-2027 or 3 Mei 2027."
        ),
        Code.PAID_DATE_MISSING: _(
            "the column Tanggal Bayar (the paid date) is empty. Fill in the date BPJS paid."
        ),
        Code.PAID_DATE_UNREADABLE: _(
            "the paid date “%(paid)s” is not a date. Write it as 03-05-2027 or 3 Mei 2027."
        ),
        Code.AMOUNT_MISSING: _(
            "the column Jumlah Dibayar (the amount) is empty. Fill in the amount BPJS paid."
        ),
        Code.AMOUNT_UNREADABLE: _(
            "the amount “%(amount_text)s” cannot be read as rupiah. Write it as 2.500.000."
        ),
        Code.AMOUNT_NOT_POSITIVE: _(
            "the amount %(amount)s is not more than zero. Correct the column Jumlah Dibayar."
        ),
        Code.PAID_BEFORE_EVENT: _(
            "the paid date %(paid_on)s is before the event (%(event_date)s). Correct the column "
            "Tanggal Bayar or Tanggal Kejadian."
        ),
        Code.PAID_IN_FUTURE: _(
            "the paid date %(paid_on)s is in the future. Correct the column Tanggal Bayar."
        ),
        Code.IDENTITY_DIFFERS: _(
            "the KPJ and the NIK belong to two different workers in Lindung. Check both with "
            "the branch and correct the wrong one."
        ),
        Code.CLAIM_REJECTED: _(
            "claim %(claim)s is recorded as rejected by BPJS, but the branch reports it paid. "
            "Check with the branch; nothing is changed."
        ),
        Code.PAID_AMOUNT_DIFFERS: _(
            "claim %(claim)s is recorded as paid %(claim_amount)s, the branch reports "
            "%(amount)s. Check with the branch; nothing is changed."
        ),
        Code.DUPLICATE_ROW: _(
            "this claim is in the file twice (an earlier row names the same worker, type and "
            "event). Delete one of the rows."
        ),
        Code.DEATH_OTHER_DATE: _(
            "Lindung recorded this worker's death on another date (more than %(days)s days "
            "from %(event_date)s). Check the date of death with the branch."
        ),
    }
    return bodies[Code(code)] % values
