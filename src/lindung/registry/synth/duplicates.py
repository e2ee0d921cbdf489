"""Possible duplicates for the demo: people already registered, listed again under another NIK.

    text = near_duplicates(workers, taken=set_of_registered_niks)   # a CSV worker list

Each given worker (nik, name, sex, birth_date, desa_id) comes back once with the same birth
date, sex and desa, a name spelt a little differently (one letter dropped or doubled, as a clerk
types it again) and a NIK that differs in its serial number only: what a desa list sent twice
through different hands looks like. Imported after the workers themselves, every row is new and
is paired with its original for review (POSSIBLE_DUPLICATE). Deterministic: the same workers
give the same file.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from rapidfuzz import fuzz

from lindung.registry.pipeline.decide import DUPLICATE_NAME_SCORE

HEADER = "NIK;Nama;JK;Tgl Lahir;Desa/Kelurahan"
# Well above the pairing threshold, so the variant is paired however names are keyed.
_MIN_SCORE = DUPLICATE_NAME_SCORE + 5


def name_variant(name: str) -> str:
    """The name with its last word's last letter dropped (words of 5+ letters) or doubled."""
    words = name.split()
    last = words[-1]
    words[-1] = last[:-1] if len(last) >= 5 else last + last[-1]
    return " ".join(words)


def other_nik(nik: str, taken: set[str]) -> str | None:
    """The NIK with another serial number (last 4 digits, never 0000) that is not taken."""
    serial = int(nik[12:])
    for step in range(5_000, 10_000, 7):
        candidate = f"{nik[:12]}{(serial + step) % 10_000 or 1:04d}"
        if candidate not in taken:
            return candidate
    return None


def near_duplicates(workers: Iterable[Mapping[str, Any]], *, taken: set[str]) -> str:
    """A CSV worker list (`;`, HEADER) with one near-duplicate row per worker whose name varies
    enough to show and little enough to be paired."""
    lines = [HEADER]
    for worker in workers:
        name = str(worker["name"])
        variant = name_variant(name)
        score = fuzz.token_sort_ratio(name.lower(), variant.lower())
        nik = other_nik(str(worker["nik"]), taken)
        if nik is None or variant == name or score < _MIN_SCORE:
            continue
        taken.add(nik)
        born: datetime.date = worker["birth_date"]
        lines.append(f"{nik};{variant};{worker['sex']};{born:%d-%m-%Y};{worker['desa_id']}")
    return "\n".join(lines) + "\n"
