"""What differs between the kabupaten/kota of Nusa Tenggara Barat in a province file.

A one-kabupaten file (`generate`, `lindung synth --kabupaten`) keeps the Lombok Timur tables of
`people` for any kabupaten, so that its output stays as it was. A province file (`--province`)
uses these as well: Sasak names on Lombok, Samawa and Mbojo names on Sumbawa (no "Lalu"/"Baiq",
no "Amaq"/"Inaq"), the towns, coasts, tobacco and highlands of every kabupaten, cattle and maize
on Sumbawa, and every kecamatan of a kota as a town. Keys are Region.name_key of the kecamatan;
none of them names a kecamatan of Lombok Timur, whose weights stay those of `people`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NameStyle:
    """How people are called: given names, the first of two or three names (with weights), the
    titles of nobility and of parents ("Lalu"/"Baiq", "Amaq"/"Inaq") where they are used, and
    the words dusun names are made of."""

    men: tuple[str, ...]
    women: tuple[str, ...]
    men_first: tuple[tuple[str, int], ...]
    women_first: tuple[tuple[str, int], ...]
    noble: tuple[str, str] | None  # (man, woman)
    parent: tuple[str, str] | None  # (father of…, mother of…), in villages
    dusun_first: tuple[str, ...]
    dusun_second: tuple[str, ...]


SASAK = NameStyle(
    men=(
        "Zainul", "Sahnan", "Hamdan", "Saprudin", "Mahsun", "Rusdi", "Hasanudin", "Suhaimi",
        "Ismail", "Usman", "Zulkifli", "Sahabudin", "Jumadil", "Muhlis", "Supardi", "Amrullah",
        "Syamsul", "Rusnan", "Haerudin", "Muhsin", "Junaidi", "Marzuki", "Sukardi", "Hairul",
        "Fahrurrozi", "Mukhtar", "Sahril", "Jumaidi", "Salman", "Zulhadi", "Badarudin",
        "Kamarudin", "Mahrup", "Mursid", "Jaelani", "Zohri", "Sahdan", "Ridwan", "Azhar", "Anwar",
        "Burhan", "Fauzi", "Hasan", "Husni", "Idris", "Lukman", "Nasrullah", "Sapoan", "Yusuf",
        "Bahri", "Mahnan", "Rosidi", "Abdurrahman", "Sahwan",
    ),
    women=(
        "Sainah", "Halimah", "Sumiati", "Rohani", "Nurhasanah", "Mariati", "Aminah", "Raehan",
        "Fatimah", "Juariah", "Rukiah", "Saenab", "Hadijah", "Murniati", "Suhartini", "Rabiah",
        "Maesarah", "Sapiah", "Hartini", "Nurhayati", "Salmah", "Zaenab", "Marhamah", "Sukmawati",
        "Rahmawati", "Herniati", "Masnun", "Rumini", "Samsiah", "Kartini", "Rohimah", "Hamidah",
        "Mahniah", "Jumenah", "Rusmini", "Saridah", "Nuraini", "Sariani", "Mulyani", "Sahnun",
        "Inun", "Rumenah",
    ),
    men_first=(("Muhammad", 30), ("Ahmad", 14), ("Abdul", 10), ("M.", 6), ("Moh.", 3)),
    women_first=(("Siti", 30), ("Nur", 8), ("Sri", 5), ("Nurul", 4)),
    noble=("Lalu", "Baiq"),
    parent=("Amaq", "Inaq"),
    dusun_first=(
        "Lendang", "Montong", "Karang", "Gubuk", "Bagik", "Dasan", "Kebon", "Batu", "Tanak",
        "Lingkok", "Gunung", "Embung", "Aik", "Orong", "Repok", "Tibu", "Kokoq", "Pengadangan",
    ),
    dusun_second=(
        "Baru", "Lauk", "Daye", "Timuk", "Bat", "Tengak", "Atas", "Bawak", "Bilus", "Nyaka",
        "Jaya", "Indah", "Sari", "Luah", "Bunut", "Beleq", "Malang", "Paok",
    ),
)  # fmt: skip

# Sumbawa, Sumbawa Barat (Samawa), Dompu, Bima and Kota Bima (Mbojo): Muslim names, often in
# -uddin and -ah; titles of nobility are rare and no teknonym is written on an ID card.
SUMBAWA = NameStyle(
    men=(
        "Syarifuddin", "Jamaluddin", "Nurdin", "Arifin", "Muhtar", "Sudirman", "Abubakar",
        "Ibrahim", "Ismail", "Hamzah", "Rusdin", "Taufik", "Amiruddin", "Ilham", "Kasman",
        "Mansyur", "Nasaruddin", "Saiful", "Rahmat", "Firdaus", "Zulkifli", "Sahrul",
        "Burhanuddin", "Syamsuddin", "Julkarnain", "Abdullah", "Husain", "Hasbullah", "Yakub",
        "Idrus", "Nurhadi", "Salahuddin", "Muhlis", "Jufri", "Iskandar", "Sukri", "Syahrir",
        "Rasyid", "Suherman", "Kamaruddin", "Ahyar", "Syahbuddin", "Fahrurrahman", "Mustamin",
    ),
    women=(
        "Nurjanah", "Rostina", "Salmah", "Hadijah", "Nurhaidah", "Suryani", "Rosmiati", "Maryam",
        "Ratna", "Hasnah", "Rahmah", "Saodah", "Fatmah", "Rosdiana", "Jubaidah", "Syamsiah",
        "Sarifah", "Erni", "Nurlaila", "Juhriah", "Asmah", "Mardiah", "Hamsiah", "Nursiah",
        "Aisyah", "Halimah", "Nuraini", "Sumarni", "Ramlah", "Rukayah", "Hawa", "Jumriah",
        "Nurmi", "Darmawati", "Kurniati", "Wahidah", "Mulyati", "Kalsum",
    ),
    men_first=(("Muhammad", 30), ("Abdul", 14), ("Ahmad", 10), ("M.", 6), ("Moh.", 3)),
    women_first=(("Siti", 30), ("Nur", 8), ("Sri", 4), ("Sitti", 4)),
    noble=None,
    parent=None,
    dusun_first=(
        "Brang", "Olat", "Labu", "Ai", "Sampar", "Lito", "Oi", "Doro", "Rasa", "Tolo", "So",
        "Kampung", "Pungka", "Karang",
    ),
    dusun_second=(
        "Baru", "Barat", "Timur", "Tengah", "Atas", "Bawah", "Jaya", "Indah", "Sari", "Makmur",
        "Lestari", "Permai", "Bakti", "Mulya",
    ),
)  # fmt: skip

SUMBAWA_ISLAND = frozenset({"52.04", "52.05", "52.06", "52.07", "52.72"})


def style_for(kabupaten: str) -> NameStyle:
    return SUMBAWA if kabupaten in SUMBAWA_ISLAND else SASAK


def is_kota(kabupaten: str) -> bool:
    """A kota's code has a 7 in the first digit of its own part (52.71 Mataram, 52.72 Bima)."""
    return kabupaten.split(".")[-1].startswith("7")


# The seats of the kabupaten and their market towns.
TOWNS = frozenset({"gerung", "praya", "sumbawa", "dompu", "woja", "taliwang", "tanjung", "woha"})
# Virginia tobacco: the dry south of Lombok Tengah and the plains of Lombok Barat.
TOBACCO = frozenset(
    {"praya timur", "praya barat", "praya barat daya", "pujut", "janapria", "jonggat",
     "praya tengah", "kopang", "pringgarata"}
)  # fmt: skip
# Fishing coasts: weight added to Nelayan.
COAST = {
    "sekotong": 22, "lembar": 12, "batu layar": 10, "pemenang": 14, "kayangan": 14,
    "gangga": 8, "bayan": 8, "pujut": 10, "praya barat": 6, "ampenan": 10, "labuhan badas": 16,
    "alas": 10, "utan": 10, "empang": 12, "tarano": 10, "lunyuk": 12, "alas barat": 8,
    "sape": 20, "wera": 16, "langgudu": 12, "sanggar": 10, "tambora": 10, "soromandi": 10,
    "ambalawi": 12, "kempo": 10, "kilo": 10, "hu u": 10, "pekat": 10, "manggalewa": 8,
    "poto tano": 14, "jereweh": 8, "sekongkang": 10, "maluk": 8, "asakota": 12,
    "rasanae barat": 8,
}  # fmt: skip
# Farming on the slopes: Rinjani's (Lombok) and the uplands of Sumbawa and Bima.
HIGHLANDS = frozenset(
    {"batukliang utara", "lingsar", "ropang", "lenangguar", "lantung", "orong telu", "wawo",
     "lambitu", "donggo"}
)  # fmt: skip
