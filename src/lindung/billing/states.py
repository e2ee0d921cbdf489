"""The bill lifecycle: which state may follow which, and the refusal in words.

    RENCANA ──issue──▶ DITAGIH ──sp2d──▶ SP2D ──pay──▶ DIBAYAR ──reconcile──▶ DIREKONSILIASI
       │                  │                │  (part)    │    ▲                     │
       │                  └──past due──▶ KADALUARSA    │    │ refund received     │ later recap
       └─cancel─▶ BATAL   a part paid: SEBAGIAN ───────┘    │                     ▼
                          amount differs at BPJS: SELISIH ◀─┴─── PENGEMBALIAN ◀── refund due

A plan may be paid without a recorded assessment (RENCANA → DIBAYAR): the branch's bill was
handled outside Lindung. A bill past due may still be paid (arrears); one whose funds are late
(`Bill.funds_delayed`) never becomes KADALUARSA.
"""

from django.utils.translation import gettext as _

from lindung.billing.models import BillState as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.RENCANA: frozenset({S.DITAGIH, S.SP2D, S.SEBAGIAN, S.DIBAYAR, S.BATAL, S.KADALUARSA}),
    S.DITAGIH: frozenset({S.SP2D, S.SEBAGIAN, S.DIBAYAR, S.KADALUARSA, S.BATAL}),
    S.SP2D: frozenset({S.SEBAGIAN, S.DIBAYAR, S.KADALUARSA}),
    S.KADALUARSA: frozenset({S.DITAGIH, S.SP2D, S.SEBAGIAN, S.DIBAYAR, S.BATAL}),
    S.SEBAGIAN: frozenset({S.SEBAGIAN, S.DIBAYAR, S.SP2D, S.SELISIH, S.PENGEMBALIAN}),
    S.DIBAYAR: frozenset({S.DIREKONSILIASI, S.SELISIH, S.PENGEMBALIAN}),
    S.SELISIH: frozenset({S.DIREKONSILIASI, S.DIBAYAR, S.SEBAGIAN, S.PENGEMBALIAN}),
    S.PENGEMBALIAN: frozenset({S.DIBAYAR, S.DIREKONSILIASI, S.SELISIH}),
    S.DIREKONSILIASI: frozenset({S.SELISIH, S.PENGEMBALIAN, S.DIBAYAR}),
    S.BATAL: frozenset(),
}
# Bills that still wait for money (alerts, past-due sweep, realisation "billed").
UNPAID: frozenset[str] = frozenset({S.RENCANA, S.DITAGIH, S.SP2D, S.KADALUARSA, S.SEBAGIAN})
PAYABLE: frozenset[str] = UNPAID
# Bills whose money has arrived (at least in full once).
SETTLED: frozenset[str] = frozenset({S.DIBAYAR, S.DIREKONSILIASI, S.SELISIH, S.PENGEMBALIAN})
LIVE: frozenset[str] = frozenset(s for s in S.values if s != S.BATAL)


class BillingError(Exception):
    """A refused billing action, in the user's words (Indonesian in the catalogue)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def allowed(before: str, after: str) -> bool:
    return after in TRANSITIONS.get(before, frozenset())


def check(before: str, after: str) -> None:
    if allowed(before, after):
        return
    raise BillingError(
        _("A bill that is %(before)s cannot become %(after)s.")
        % {"before": S(before).label, "after": S(after).label}
    )
