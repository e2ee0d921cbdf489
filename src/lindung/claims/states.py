"""A claim's way: DILAPORKAN → BERKAS_LENGKAP → DIAJUKAN → DIBAYAR | DITOLAK. A claim the
branch's report says it paid may jump to DIBAYAR from any open state (`services.settle`)."""

from django.utils.translation import gettext as _

from lindung.claims.models import ClaimState as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DILAPORKAN: frozenset({S.BERKAS_LENGKAP}),
    S.BERKAS_LENGKAP: frozenset({S.DIAJUKAN, S.DILAPORKAN}),
    S.DIAJUKAN: frozenset({S.DIBAYAR, S.DITOLAK}),
    S.DIBAYAR: frozenset(),
    S.DITOLAK: frozenset(),
}
OPEN = frozenset({S.DILAPORKAN, S.BERKAS_LENGKAP, S.DIAJUKAN})
FINAL = frozenset({S.DIBAYAR, S.DITOLAK})


class ClaimError(Exception):
    """A change the claim's rules refuse; the message says why, in the user's language."""


def check(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise ClaimError(
            _("A claim that is %(current)s cannot become %(target)s.")
            % {"current": S(current).label, "target": S(target).label}
        )
