"""Where the workers live: the kabupaten's desa and their weights, and the places the wilayah
faults need (misspellings, prefixed names, unknown and outside desa)."""

import random
import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lindung.regions import scope
from lindung.regions.lookup import Match, RegionIndex, RegionRow
from lindung.regions.models import Level, Population, Region, RegionType
from lindung.regions.names import normalise_name
from lindung.registry.synth.errors import SynthError


@dataclass(frozen=True)
class Desa:
    code: str
    name: str
    kecamatan: str  # code
    kecamatan_name: str
    kelurahan: bool


@dataclass
class Areas:
    """The kabupaten's desa, their weights, and what faults need of the province around it."""

    kabupaten: str
    title: str  # "KABUPATEN LOMBOK TIMUR"
    name: str  # "Lombok Timur"
    desa: list[Desa]
    weights: list[float]
    kecamatan: list[tuple[str, str]]  # (code, name) in code order
    origins: list[tuple[str, str, float]]  # other kabupaten's kecamatan: code, name, weight
    elsewhere: list[str]  # other kabupaten names: birth places
    misspelt: dict[int, list[str]] = field(default_factory=dict)  # desa index → spellings
    prefixed: set[int] = field(default_factory=set)  # desa indexes "DESA X"/"KEC. Y" resolves
    unknown: list[str] = field(default_factory=list)  # desa names found under no kecamatan
    outside: list[tuple[str, str]] = field(default_factory=list)  # (kecamatan, desa) elsewhere
    # The kabupaten's own names and trades (`regional`), as a province file has them; a
    # one-kabupaten file keeps the Lombok Timur tables for every kabupaten.
    regional: bool = False

    @classmethod
    def load(cls, kabupaten: str, *, messy: bool, regional: bool = False) -> "Areas":
        province = kabupaten.split(".")[0]
        rows: list[RegionRow] = list(
            Region.objects.within([province])
            .filter(level__gte=Level.KABUPATEN_KOTA)
            .order_by("code")
            .values_list("code", "name", "name_key", "level", "type", "parent_id")
        )
        by_code = {row[0]: row for row in rows}
        kab = by_code.get(kabupaten)
        if kab is None or kab[3] != Level.KABUPATEN_KOTA:
            raise SynthError(_("%(code)s is not a kabupaten/kota code.") % {"code": kabupaten})
        inside = [row for row in rows if row[3] > kab[3] and scope.contains([kabupaten], row[0])]
        kecamatan = [(row[0], row[1]) for row in inside if row[3] == Level.KECAMATAN]
        kec_names = dict(kecamatan)
        desa = [
            Desa(
                row[0],
                row[1],
                row[5] or "",
                kec_names[row[5] or ""],
                row[4] == RegionType.KELURAHAN,
            )
            for row in inside
            if row[3] == Level.DESA_KELURAHAN and row[5] in kec_names
        ]
        if not desa:
            raise SynthError(
                _("%(code)s has no desa/kelurahan in the wilayah tree.") % {"code": kabupaten}
            )
        areas = cls(
            kabupaten=kabupaten,
            title=kab[1].upper(),
            name=_short_name(kab[1]),
            desa=desa,
            weights=_desa_weights(desa, kabupaten),
            kecamatan=kecamatan,
            origins=_origins(rows, kabupaten),
            elsewhere=[
                _short_name(row[1])
                for row in rows
                if row[3] == Level.KABUPATEN_KOTA and row[0] != kabupaten
            ],
            regional=regional,
        )
        if messy:
            areas._prepare_faults(rows, inside)
        return areas

    def _prepare_faults(self, rows: list[RegionRow], inside: list[RegionRow]) -> None:
        """Spellings that give exactly the expected lookup result (see regions.lookup)."""
        index = RegionIndex(inside)
        for i, desa in enumerate(self.desa):
            spellings = [
                text
                for text in _one_letter_off(desa.name)
                if index.resolve(text, level=4, parent=desa.kecamatan).match == Match.FUZZY
                and index.resolve(text, level=4, parent=desa.kecamatan).code == desa.code
                and index.resolve(text, level=4).match not in (Match.EXACT, Match.CODE)
            ]
            if spellings:
                self.misspelt[i] = spellings
            prefix = "KEL." if desa.kelurahan else "DESA"
            written = (f"{prefix} {desa.name}".upper(), f"KEC. {desa.kecamatan_name}".upper())
            if (
                index.resolve(written[1], level=3).code == desa.kecamatan
                and index.resolve(written[0], level=4, parent=desa.kecamatan).code == desa.code
            ):
                self.prefixed.add(i)
        self.unknown = [
            text
            for text in ("Antah Berantah", "Desa Antah Berantah", "Dusun Entah Dimana")
            if all(
                index.resolve(text, level=4, parent=code).match == Match.NOT_FOUND
                for code, _name in self.kecamatan
            )
        ]
        self.outside = _outside_places(rows, self.kabupaten, index)


def _short_name(kabupaten: str) -> str:
    """ "Kabupaten Lombok Timur" → "Lombok Timur", as people write where they were born."""
    return re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", kabupaten)


def _desa_weights(desa: list[Desa], kabupaten: str) -> list[float]:
    """Population (latest year) where known; else seeded lognormal weights, the same for every
    file of the kabupaten."""
    # Ordered by year: the latest count of a desa is the one the dict keeps.
    latest = dict(
        Population.objects.filter(scope.q([kabupaten], "region__code"))
        .order_by("region_id", "year")
        .values_list("region_id", "count")
    )
    known = [latest[d.code] for d in desa if latest.get(d.code)]
    rng = random.Random(f"lindung.synth:desa:{kabupaten}")  # noqa: S311 - not secret
    if not known:
        return [rng.lognormvariate(0.0, 0.5) for _desa in desa]
    fallback = sorted(known)[len(known) // 2]
    return [float(latest.get(d.code) or fallback) for d in desa]


def _origins(rows: list[RegionRow], kabupaten: str) -> list[tuple[str, str, float]]:
    """Kecamatan of the province's other kabupaten, weighted to favour the nearest codes
    (52.02 and 52.04 for 52.03): where workers with an outside NIK come from."""
    number = int(kabupaten.split(".")[1])
    kecamatan: dict[str, list[tuple[str, str]]] = {}
    for code, name, _key, level, _type, parent in rows:
        if level == Level.KECAMATAN and parent and parent != kabupaten:
            kecamatan.setdefault(parent, []).append((code, name))
    origins: list[tuple[str, str, float]] = []
    for kab, members in kecamatan.items():
        weight = 1.0 / min(abs(int(kab.split(".")[1]) - number), 4)
        origins.extend((code, name, weight / len(members)) for code, name in members)
    return origins


def _outside_places(
    rows: list[RegionRow], kabupaten: str, local: RegionIndex
) -> list[tuple[str, str]]:
    """(kecamatan, desa) names of the province's other kabupaten that an importer finds outside:
    the kecamatan name unknown here and unique in the country, the desa unique under it."""
    province = RegionIndex(rows)
    kecamatan = {
        row[0]: row
        for row in rows
        if row[3] == Level.KECAMATAN
        and not scope.contains([kabupaten], row[0])
        and local.resolve(row[1], level=3).match == Match.NOT_FOUND
    }
    national = Counter(
        Region.objects.filter(
            level=Level.KECAMATAN, name_key__in=sorted({row[2] for row in kecamatan.values()})
        ).values_list("name_key", flat=True)
    )
    places = []
    for _code, name, _key, level, _type, parent in rows:
        kec = kecamatan.get(parent or "")
        if level != Level.DESA_KELURAHAN or kec is None or national[kec[2]] != 1:
            continue
        if province.resolve(name, level=4, parent=kec[0]).match == Match.EXACT:
            places.append((kec[1], name))
    return places


_VOWEL_SWAP = {"a": "e", "e": "a", "i": "e", "o": "u", "u": "o"}


def _one_letter_off(name: str) -> list[str]:
    """The name with one letter dropped, doubled or a vowel swapped, as operators misspell."""
    variants = set()
    for i, letter in enumerate(name):
        if not letter.isalpha():
            continue
        variants.add(name[:i] + name[i + 1 :])
        variants.add(name[:i] + letter + name[i:])
        swap = _VOWEL_SWAP.get(letter.lower())
        if swap:
            variants.add(name[:i] + (swap.upper() if letter.isupper() else swap) + name[i + 1 :])
    key = normalise_name(name, 4)
    return sorted(v for v in variants if normalise_name(v, 4) not in ("", key))
