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
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_name(text: str, level: int) -> str:
    """`"Kec. Sakra  Timur"` → `"sakra timur"`; `"DESA PRINGGABAYA"` → `"pringgabaya"`.

    Case, accents, punctuation and repeated spaces are ignored, and so is one leading word that
    names the level ("Kec.", "Desa", "Kel."), unless nothing would be left of the name.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _NON_WORD.sub(" ", ascii_text.lower()).split()
    prefixes = _PREFIXES.get(level, ())
    if len(words) > 1 and words[0] in prefixes:
        words = words[1:]
    return " ".join(words)
