"""Wilayah scope: which region codes a user may see, and the one place that decides whether a
region code lies under them, for Python, the ORM, raw SQL and Polars.

Kemendagri codes are dotted (`52` provinsi, `52.03` kabupaten, `52.03.07` kecamatan,
`52.03.07.1001` desa). A code lies under a scope code when it equals it or starts with it plus a
dot: `52.03.07` holds `52.03.07.1001`, not `52.03.070`. Every table that belongs to a region
stores its code, so a scope check is that prefix match; nothing outside this module writes one
by hand (`lindung/tests/test_scope_in_one_place.py` fails on a new one).

    codes = scope.codes_for(user)                        # [] = the user sees nothing
    scope.contains(codes, worker.desa_id)                # one code, in Python
    Worker.objects.filter(scope.q(codes, "desa_id"))     # the ORM
    where, params = scope.sql(codes, "b.desa_id")        # raw SQL
    frame.filter(scope.expr(codes, "desa_id"))           # Polars
    scope.is_whole_deployment(codes)                     # totals stored for the deployment apply
    scope.is_whole_kabupaten(codes)                      # whole kabupaten/kota (staff of one)

Index-friendly forms: a table that also stores the code of a region's kabupaten or kecamatan
names those fields in `levels=`, and a code of that level is matched by equality there (an index
lookup, not a prefix scan). A prefix match is `LIKE 'code.%'` (PostgreSQL reads it from the
`_like` index Django creates for a code key); on SQLite, whose LIKE ignores case and so cannot use
an index, the same prefix is also given as the code range it implies ("/" follows "." in byte
order), which the index answers.
"""

import re
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

import polars as pl
from django.db import connection
from django.db.models import Q

from lindung.roles import Role

if TYPE_CHECKING:
    from lindung.accounts.models import User

# Levels as regions.models.Level numbers them (the number of dots plus one).
PROVINSI, KABUPATEN_KOTA, KECAMATAN, DESA_KELURAHAN = 1, 2, 3, 4
_CODE = re.compile(r"\d+(\.\d+)*")  # no LIKE wildcard can hide in a code


def level_of(code: str) -> int:
    """The level of a region code: 1 provinsi … 4 desa/kelurahan."""
    return code.count(".") + 1


def deployment_codes() -> list[str]:
    """Codes of the kabupaten/kota this installation serves (empty before `lindung setup`)."""
    from lindung.regions.models import Deployment

    deployment = Deployment.objects.filter(pk=1).first()
    return deployment.area_codes() if deployment else []


def kabupaten_of(code: str) -> str:
    """The kabupaten/kota code of a region code of level 2 or below (`52.03.07.1001` → `52.03`)."""
    return ".".join(code.split(".")[:2])


def sole_kabupaten() -> str:
    """The one kabupaten/kota of an installation that serves one; LookupError when it serves
    several (the caller must then say which) or none yet."""
    codes = deployment_codes()
    if len(codes) != 1:
        raise LookupError(
            f"this installation serves {len(codes)} kabupaten/kota: name the one meant"
        )
    return codes[0]


def kabupaten_for(user: "User") -> list[str]:
    """The kabupaten/kota the user's scope lies in (each one's own policy, lists and
    approvals apply there): one for a user bound to a kabupaten or an area of it, every
    kabupaten/kota of the deployment for a user bound to none."""
    return sorted({kabupaten_of(code) for code in codes_for(user)})


def codes_for(user: "User") -> list[str]:
    """The region codes whose subtree `user` may see; empty when the user may see nothing: the
    deployment's kabupaten for kabupaten-wide roles, the one kecamatan or desa of an operator,
    nothing for inactive users or a region outside the deployment.

    Remembered on the user object, which lives for one request (or one command).
    """
    cached: list[str] | None = getattr(user, "_lindung_scope", None)
    if cached is None:
        cached = _codes_for(user)
        user._lindung_scope = cached  # type: ignore[attr-defined]
    return list(cached)


def _codes_for(user: "User") -> list[str]:
    if not user.is_authenticated or not user.is_active or not user.role:
        return []
    areas = deployment_codes()
    if user.region_id is None:
        # Kabupaten-wide roles without a region see the whole deployment.
        return [] if user.role in (Role.OPERATOR_KECAMATAN, Role.OPERATOR_DESA) else areas
    # A region-bound user sees their region only while it lies inside the deployment.
    code = str(user.region_id)
    if level_of(code) == PROVINSI and user.role == Role.PROVINSI:
        # A provincial officer bound to a province sees the deployment's kabupaten/kota in it.
        return [area for area in areas if contains([code], area)]
    return [code] if contains(areas, code) else []


def is_whole_deployment(codes: Collection[str]) -> bool:
    """Whether `codes` are the whole deployment (totals stored for the deployment apply)."""
    return bool(codes) and sorted(codes) == sorted(deployment_codes())


def is_whole_kabupaten(codes: Collection[str]) -> bool:
    """Whether `codes` are whole kabupaten/kota (the whole deployment, or some of its
    kabupaten/kota): what a kabupaten/kota's own staff see of its wadah, batches and bills."""
    return bool(codes) and all(level_of(code) == KABUPATEN_KOTA for code in codes)


def contains(codes: Iterable[str], code: str) -> bool:
    """`code` equals one of `codes` or lies below it."""
    return any(code == top or code.startswith(top + ".") for top in codes)


def q(
    codes: Iterable[str],
    field: str = "code",
    *,
    levels: Mapping[int, str] | None = None,
    vendor: str | None = None,
) -> Q:
    """Rows whose `field` (a region code) lies in the subtrees of `codes`; none when `codes` is
    empty. `levels` names the fields that store the code of a level (`{KECAMATAN:
    "kecamatan_id"}`): a code of such a level is matched by equality on that field. `vendor`
    is the database's (`connection.vendor` by default)."""
    levels = levels or {}
    sqlite = (vendor or connection.vendor) == "sqlite"
    exact: dict[str, list[str]] = {}
    prefixes: list[str] = []
    for code in codes:
        if column := levels.get(level_of(code)):
            exact.setdefault(column, []).append(code)
        else:
            prefixes.append(code)
    matches = Q(pk__in=[])  # matches nothing: Django answers it without a query
    for column, equal in exact.items():
        matches |= Q(**{f"{column}__in": equal})
    for code in prefixes:
        below = Q(**{f"{field}__startswith": _checked(code) + "."})
        if sqlite:
            below &= Q(**{f"{field}__gte": code + ".", f"{field}__lt": code + "/"})
        matches |= Q(**{field: code}) | below
    return matches


def sql(codes: Iterable[str], column: str, *, vendor: str | None = None) -> tuple[str, list[str]]:
    """The same for raw SQL: a WHERE fragment on `column` and its parameters."""
    sqlite = (vendor or connection.vendor) == "sqlite"
    parts: list[str] = []
    params: list[str] = []
    for code in codes:
        below = f"{column} LIKE %s"
        params += [code, _checked(code) + ".%"]
        if sqlite:
            below += f" AND {column} >= %s AND {column} < %s"
            params += [code + ".", code + "/"]
        parts.append(f"{column} = %s OR ({below})")
    return ("(" + " OR ".join(parts) + ")" if parts else "1 = 0"), params


def expr(codes: Iterable[str], column: str) -> pl.Expr:
    """The same for Polars: `column` lies in the subtrees of `codes` (false for a null)."""
    inside = pl.lit(False)
    for code in codes:
        inside = inside | (pl.col(column) == code) | pl.col(column).str.starts_with(code + ".")
    return inside.fill_null(False)


def _checked(code: str) -> str:
    if not _CODE.fullmatch(code):
        raise ValueError(f"not a region code: {code!r}")
    return code
