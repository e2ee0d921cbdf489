"""The claim rules Lindung keeps as data (`data/claims-rules.json`, or the file named by
LINDUNG_CLAIMS_RULES): the documents each benefit needs, the heirs' order, the deadlines, the
JKM minimum of paid months and the expected event rates by age. Items the file marks as not
verified are shown as such where they are used."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DEFAULT = Path(__file__).parent / "data" / "claims-rules.json"

DOCUMENTS: dict[str, Promise] = {
    "kartu_peserta": _("BPJS Ketenagakerjaan membership card"),
    "ktp_peserta": _("KTP of the worker"),
    "ktp_ahli_waris": _("KTP of the heirs"),
    "akta_kematian": _("Death certificate"),
    "kk": _("Family card (KK)"),
    "surat_ahli_waris": _("Heir statement"),
    "buku_nikah": _("Marriage book"),
    "buku_rekening": _("Bank book of the receiver"),
    "form_kk1": _("Form KK1: accident report (within 2 x 24 hours)"),
    "form_kk2": _("Form KK2: report after the doctor's statement (within 2 x 24 hours)"),
    "form_kk3": _("Form KK3: the doctor's statement"),
    "saksi": _("Statement of witnesses"),
    "laporan_polisi": _("Police report (road accident)"),
    "kuitansi_rs": _("Hospital bills and receipts"),
}


@dataclass(frozen=True)
class Rate:
    age_from: int
    age_to: int
    deaths: float  # per 1.000 participant-years
    accidents: float


@dataclass(frozen=True)
class ClaimRules:
    version: str
    documents: dict[str, tuple[str, ...]]
    road_only: frozenset[str]
    heir_order: tuple[str, ...]
    heir_order_verified: bool
    jkm_min_paid_months: int
    jkm_min_paid_months_verified: bool
    kk1_hours: int
    kk2_hours: int
    jkk_working_days: int
    jkm_working_days: int
    death_without_claim_days: int
    small_cell: int
    rates: tuple[Rate, ...]
    rates_verified: bool

    def documents_for(self, kind: str, *, road: bool) -> list[tuple[str, str]]:
        """(code, label) of the documents a claim of `kind` needs; the police report only for
        a road accident (on the way to or from work)."""
        codes = [c for c in self.documents.get(kind, ()) if road or c not in self.road_only]
        return [(code, str(DOCUMENTS.get(code, code))) for code in codes]

    def rate_for(self, age: int) -> Rate | None:
        return next((r for r in self.rates if r.age_from <= age <= r.age_to), None)


def _path() -> Path:
    configured = getattr(settings, "LINDUNG_CLAIMS_RULES", "") or ""
    return Path(configured) if configured else DEFAULT


def load(path: Path) -> ClaimRules:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return ClaimRules(
        version=str(data["version"]),
        documents={k: tuple(v) for k, v in data["documents"].items()},
        road_only=frozenset(data.get("road_only", ())),
        heir_order=tuple(data["heir_order"]),
        heir_order_verified=bool(data.get("heir_order_verified", False)),
        jkm_min_paid_months=int(data["jkm_min_paid_months"]),
        jkm_min_paid_months_verified=bool(data.get("jkm_min_paid_months_verified", False)),
        kk1_hours=int(data["kk1_hours"]),
        kk2_hours=int(data["kk2_hours"]),
        jkk_working_days=int(data["jkk_working_days"]),
        jkm_working_days=int(data["jkm_working_days"]),
        death_without_claim_days=int(data["death_without_claim_days"]),
        small_cell=int(data.get("small_cell", 5)),
        rates=tuple(
            Rate(int(r["from"]), int(r["to"]), float(r["deaths"]), float(r["accidents"]))
            for r in data["rates"]
        ),
        rates_verified=bool(data.get("rates_verified", False)),
    )


@cache
def _cached(path: str, mtime: float) -> ClaimRules:
    return load(Path(path))


def current() -> ClaimRules:
    """The rules in force (re-read when the file changes)."""
    path = _path()
    return _cached(str(path), path.stat().st_mtime)
