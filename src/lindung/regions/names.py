"""Normalising wilayah names the way spreadsheets write them."""

import re
import unicodedata

# Words an operator puts before a name, by the level of the region named.
_PREFIXES: dict[int, tuple[str, ...]] = {
    1: ("provinsi", "prov"),
    2: ("kabupaten", "kab"),  # "Kota" stays: Kota Bandung is not Kabupaten Bandung
    3: ("kecamatan", "kec", "distrik"),
    4: ("desa", "kelurahan", "kel", "ds", "kampung", "gampong", "nagari", "kalurahan"),
}
# The village prefixes that say which type is meant. "Kampung" (Papua), "Gampong" (Aceh),
# "Nagari" (Sumatera Barat) and "Kalurahan" (Yogyakarta) are local words for a desa.
_VILLAGE_TYPE_BY_PREFIX: dict[str, str] = {
    "desa": "desa",
    "ds": "desa",
    "kampung": "desa",
    "gampong": "desa",
    "nagari": "desa",
    "kalurahan": "desa",
    "kelurahan": "kelurahan",
    "kel": "kelurahan",
}
_NON_WORD = re.compile(r"[^0-9a-z]+")


def name_words(text: str) -> list[str]:
    """The name as lower-case ASCII words: accents dropped, punctuation splits words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_WORD.sub(" ", ascii_text.lower()).split()


def written_forms(text: str, level: int) -> list[str]:
    """The name with 0, 1, 2… leading level words dropped, longest first.

    `"Desa Kampung Baru"` → `["desa kampung baru", "kampung baru", "baru"]`. The last form is the
    name key; the longer ones tell "Kampung Gelgel" from "Gelgel" when both keys are "gelgel".
    """
    words = name_words(text)
    prefixes = _PREFIXES.get(level, ())
    forms = [" ".join(words)]
    while len(words) > 1 and words[0] in prefixes:
        words = words[1:]
        forms.append(" ".join(words))
    return forms


def normalise_name(text: str, level: int) -> str:
    """`"Kec. Sakra  Timur"` → `"sakra timur"`; `"DESA PRINGGABAYA"` → `"pringgabaya"`.

    Case, accents, punctuation and repeated spaces are ignored, and so are the leading words that
    name the level ("Kec.", "Desa", "Kel."), unless nothing would be left of the name. Applying it
    twice changes nothing.
    """
    return written_forms(text, level)[-1]


def village_type_hint(text: str) -> str | None:
    """ "desa" or "kelurahan" when the name starts with a word that says which; else None."""
    words = name_words(text)
    if len(words) < 2:
        return None
    return _VILLAGE_TYPE_BY_PREFIX.get(words[0])
