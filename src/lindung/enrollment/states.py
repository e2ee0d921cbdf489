"""The participation lifecycle: which state may follow which, and the refusal in words.

    CALON ──submit──▶ DIAJUKAN ──answer──▶ TERDAFTAR | DITOLAK | GANDA_AKTIF
      ▲                  │ withdraw (batch cancelled)              │
      └──────────────────┘◀────────── resubmit (DITOLAK, GANDA_AKTIF)
    any open state ──end (reason)──▶ BERAKHIR   (final)

A later answer may correct an earlier one (DITOLAK → TERDAFTAR when the branch registered the
worker after all). A registered participation never changes its KPJ by an answer: that is a
KPJ_CONFLICT for a person to resolve.
"""

from django.utils.translation import gettext as _

from lindung.enrollment.models import State

TRANSITIONS: dict[str, frozenset[str]] = {
    State.CALON: frozenset({State.DIAJUKAN, State.BERAKHIR}),
    State.DIAJUKAN: frozenset(
        {State.TERDAFTAR, State.DITOLAK, State.GANDA_AKTIF, State.CALON, State.BERAKHIR}
    ),
    State.DITOLAK: frozenset({State.TERDAFTAR, State.GANDA_AKTIF, State.CALON, State.BERAKHIR}),
    State.GANDA_AKTIF: frozenset({State.TERDAFTAR, State.DITOLAK, State.CALON, State.BERAKHIR}),
    State.TERDAFTAR: frozenset({State.BERAKHIR}),
    State.BERAKHIR: frozenset(),
}
OPEN: frozenset[str] = frozenset(s for s in State.values if s != State.BERAKHIR)
# States an answer row may set, and the states it may come from.
ANSWERED: frozenset[str] = frozenset({State.TERDAFTAR, State.DITOLAK, State.GANDA_AKTIF})
AWAITING_ANSWER: frozenset[str] = frozenset(
    {State.DIAJUKAN, State.DITOLAK, State.GANDA_AKTIF, State.TERDAFTAR}
)


class TransitionError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def allowed(before: str, after: str) -> bool:
    return after in TRANSITIONS.get(before, frozenset())


def check(before: str, after: str) -> None:
    """Raise TransitionError, in the user's words, when `after` may not follow `before`."""
    if allowed(before, after):
        return
    if before == State.BERAKHIR:
        raise TransitionError(
            _("This participation has ended; it cannot change. A new list makes a new one.")
        )
    raise TransitionError(
        _("A participation that is %(before)s cannot become %(after)s.")
        % {"before": State(before).label, "after": State(after).label}
    )
