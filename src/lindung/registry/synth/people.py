"""The people: households, ages, Sasak names, occupations by kecamatan, incomes, phones; and
their columns as a clean file writes them."""

import datetime
from collections.abc import Sequence

import polars as pl

from lindung.regions.names import normalise_name
from lindung.registry.models import Occupation
from lindung.registry.synth import regional
from lindung.registry.synth.places import Areas
from lindung.registry.synth.randomness import Seed, SeededRandom, choose_by_group
from lindung.registry.synth.regional import NameStyle

# Ages are counted on this day, not today: the same seed gives the same file in any year.
REFERENCE_DATE = datetime.date(2026, 1, 1)

_OCCUPATIONS = list(Occupation)
_O = Occupation
# How a list writes each occupation.
OCCUPATION_LABELS = {
    _O.PETANI: "Petani", _O.BURUH_TANI: "Buruh Tani", _O.PETANI_TEMBAKAU: "Petani Tembakau",
    _O.BURUH_TANI_TEMBAKAU: "Buruh Tani Tembakau", _O.PEKEBUN: "Pekebun",
    _O.PETERNAK: "Peternak", _O.NELAYAN: "Nelayan", _O.PEDAGANG: "Pedagang", _O.OJEK: "Ojek",
    _O.TUKANG: "Tukang", _O.BURUH_HARIAN_LEPAS: "Buruh Harian Lepas", _O.SOPIR: "Sopir",
    _O.LAINNYA: "Lainnya",
}  # fmt: skip
_BASE_WEIGHTS = {
    _O.PETANI: 20, _O.BURUH_TANI: 20, _O.PEKEBUN: 4, _O.PETERNAK: 6, _O.PEDAGANG: 9, _O.OJEK: 4,
    _O.TUKANG: 6, _O.BURUH_HARIAN_LEPAS: 12, _O.SOPIR: 3, _O.LAINNYA: 5,
}  # fmt: skip
# Lombok Timur: Virginia tobacco in the dry south and centre, fishing on the coasts, trade in the
# towns, vegetables on Rinjani's slopes. Keys are Region.name_key of the kecamatan.
_TOBACCO = {
    "sakra", "sakra barat", "sakra timur", "keruak", "jerowaru", "terara", "montong gading",
    "sikur", "pringgasela", "aikmel", "wanasaba", "masbagik",
}  # fmt: skip
_COAST = {
    "labuhan haji": 24, "pringgabaya": 18, "keruak": 22, "jerowaru": 22, "sambelia": 20,
    "sakra timur": 5,
}  # fmt: skip
_TOWNS = {"selong", "masbagik"}
_HIGHLANDS = {"sembalun"}
_WOMEN_FACTOR = {
    _O.OJEK: 0.05, _O.SOPIR: 0.05, _O.NELAYAN: 0.15, _O.TUKANG: 0.1, _O.PEDAGANG: 1.8,
    _O.BURUH_TANI_TEMBAKAU: 1.3, _O.LAINNYA: 1.5,
}  # fmt: skip
_INCOME_MEDIAN = {
    _O.PETANI: 1_300_000, _O.BURUH_TANI: 900_000, _O.PETANI_TEMBAKAU: 1_600_000,
    _O.BURUH_TANI_TEMBAKAU: 1_000_000, _O.PEKEBUN: 1_300_000, _O.PETERNAK: 1_200_000,
    _O.NELAYAN: 1_500_000, _O.PEDAGANG: 1_800_000, _O.OJEK: 1_600_000, _O.TUKANG: 1_900_000,
    _O.BURUH_HARIAN_LEPAS: 1_100_000, _O.SOPIR: 2_200_000, _O.LAINNYA: 1_200_000,
}  # fmt: skip
_DESIL_WEIGHTS = (22, 20, 17, 13, 9, 7, 5, 3, 2, 2)
# (lowest age, age below which, weight): working age mostly, a few teenagers and elders.
_AGE_BANDS = (
    (15, 18, 2), (18, 25, 12), (25, 35, 22), (35, 45, 24), (45, 55, 20), (55, 65, 13),
    (65, 70, 4), (70, 81, 3),
)  # fmt: skip

_DUSUN_PER_DESA = 6
_PHONE_PREFIXES = (
    "0812", "0813", "0817", "0818", "0819", "0821", "0822", "0823", "0852", "0853", "0857",
    "0859", "0877", "0878", "0831", "0838", "0895", "0896", "0898",
)  # fmt: skip


def _occupation_table(areas: Areas) -> list[list[float]]:
    """Occupation weights per (kecamatan index * 2 + woman)."""
    towns, tobacco, coast, highlands = _TOWNS, _TOBACCO, _COAST, _HIGHLANDS
    kota = island = False
    if areas.regional:
        towns, tobacco = towns | regional.TOWNS, tobacco | regional.TOBACCO
        coast, highlands = {**coast, **regional.COAST}, highlands | regional.HIGHLANDS
        kota = regional.is_kota(areas.kabupaten)
        island = areas.kabupaten in regional.SUMBAWA_ISLAND
    table = []
    for _code, name in areas.kecamatan:
        key = normalise_name(name, 3)
        weights = {o: float(_BASE_WEIGHTS.get(o, 0)) for o in _OCCUPATIONS}
        if kota or key in towns:
            for o in (_O.PETANI, _O.BURUH_TANI, _O.PEKEBUN, _O.PETERNAK):
                weights[o] *= 0.4
            for o, extra in ((_O.PEDAGANG, 14), (_O.OJEK, 8), (_O.SOPIR, 3), (_O.TUKANG, 4)):
                weights[o] += extra
        elif island:  # cattle, horses and maize on Sumbawa outside its towns
            weights[_O.PETERNAK] += 10
            weights[_O.PETANI] += 8
        if key in tobacco:
            weights[_O.PETANI_TEMBAKAU] += 12
            weights[_O.BURUH_TANI_TEMBAKAU] += 16
        weights[_O.NELAYAN] += coast.get(key, 0)
        if key in highlands:
            weights[_O.PETANI] += 15
            weights[_O.PEKEBUN] += 6
        table.append([weights[o] for o in _OCCUPATIONS])
        table.append([weights[o] * _WOMEN_FACTOR.get(o, 1.0) for o in _OCCUPATIONS])
    return table


def gather(options: Sequence[str], index: pl.Series) -> pl.Series:
    return pl.Series(list(options), dtype=pl.String).gather(index)


def make_people(rows: int, areas: Areas, seed: Seed) -> pl.DataFrame:
    """Typed columns, one row per worker, in file order: by desa, then household."""
    return add_details(make_skeleton(rows, areas, seed), areas, seed)


# The draws of the "people" purpose that make_skeleton takes, per person.
_SKELETON_DRAWS = 3


def make_skeleton(rows: int, areas: Areas, seed: Seed) -> pl.DataFrame:
    """The people as far as their NIK needs them: household, desa, kecamatan, sex, age and
    birth date, in file order. `add_details` adds the rest (a province file makes the skeletons
    of every kabupaten first, to number the NIKs of the whole province)."""
    rng = SeededRandom(seed, "households")
    # Households of one worker, or two (spouses sharing a No. KK when the first is 20 or older).
    n = rows
    band = rng.choose(n, [w for _lo, _hi, w in _AGE_BANDS])
    low = pl.Series([lo for lo, _hi, _w in _AGE_BANDS]).gather(band)
    span = pl.Series([hi - lo for lo, hi, _w in _AGE_BANDS]).gather(band)
    households = pl.DataFrame(
        {
            "desa": rng.choose(n, areas.weights),
            "key": rng.uniform(n),
            "man": rng.uniform(n) < 0.63,
            "age": low + rng.uniform(n) * span,
            "couple": rng.uniform(n) < 0.16,
            "dusun": rng.below(n, _DUSUN_PER_DESA),
            "rt": rng.below(n, 8) + 1,
            "kk_issued": rng.below(
                n, (datetime.date(2025, 12, 31) - datetime.date(2008, 1, 1)).days
            ),
        }
    ).with_columns(size=1 + (pl.col("couple") & (pl.col("age") >= 20)).cast(pl.Int64))
    households = (
        households.with_columns(before=pl.col("size").cum_sum() - pl.col("size"))
        .filter(pl.col("before") < rows)
        .with_columns(size=pl.min_horizontal("size", rows - pl.col("before")))
        .with_row_index("household")
        .sort("desa", "key")
    )
    people = households.with_columns(member=pl.int_ranges(0, "size")).explode("member")
    n = people.height
    rng = SeededRandom(seed, "people")
    desa_kec = pl.Series(
        [areas.kecamatan.index((d.kecamatan, d.kecamatan_name)) for d in areas.desa]
    )
    spouse = pl.col("member") == 1
    offset = rng.uniform(n) * 8
    people = people.with_columns(
        man=pl.col("man") ^ spouse,
        age=pl.when(spouse)
        .then(pl.col("age") + pl.when(pl.col("man")).then(-offset).otherwise(offset))
        .otherwise(pl.col("age"))
        .clip(17, 80.99),
        kecamatan=desa_kec.gather(people["desa"]),
        kelurahan=pl.Series([d.kelurahan for d in areas.desa]).gather(people["desa"]),
    )
    ref = (REFERENCE_DATE - datetime.date(1970, 1, 1)).days
    born = (ref - (people["age"] * 365.2425).floor().cast(pl.Int64)).cast(pl.Int32).cast(pl.Date)
    year = pl.lit(born.dt.year())
    # Elders whose birth day was never known are registered on 1 January or 31 December.
    unknown_day = (rng.uniform(n) < 0.06) & (people["age"] >= 45)
    year_end = rng.uniform(n) < 0.4
    people = people.with_columns(
        birth_date=pl.when(unknown_day & year_end)
        .then(pl.date(year, 12, 31))
        .when(unknown_day)
        .then(pl.date(year, 1, 1))
        .otherwise(born)
    )
    return people


def add_details(people: pl.DataFrame, areas: Areas, seed: Seed) -> pl.DataFrame:
    """Occupation, income, desil, disability, phone, female head, name and birth place."""
    n = people.height
    rng = SeededRandom(seed, "people")
    rng.skip(_SKELETON_DRAWS * n)  # drawn by make_skeleton
    group = people["kecamatan"] * 2 + (~people["man"]).cast(pl.Int64)
    occupation = choose_by_group(rng.uniform(n), group, _occupation_table(areas))
    median = pl.Series([float(_INCOME_MEDIAN[o]) for o in _OCCUPATIONS]).gather(occupation)
    z = (-2 * rng.uniform(n).clip(1e-12, 1).log()).sqrt() * (
        6.283185307179586 * rng.uniform(n)
    ).cos()
    income = (median * pl.when(people["man"]).then(1.0).otherwise(0.8) * (0.45 * z).exp()).clip(
        300_000, 6_000_000
    )
    rounded = ((income / 50_000).round() * 50_000).cast(pl.Int64)
    phone = pl.concat_str(
        gather(_PHONE_PREFIXES, rng.below(n, len(_PHONE_PREFIXES))),
        rng.below(n, 10**8).cast(pl.String).str.zfill(8),
        pl.when(rng.uniform(n) < 0.5).then(rng.below(n, 10).cast(pl.String)),  # 12 or 13 digits
        ignore_nulls=True,
    )
    people = people.with_columns(
        occupation=occupation,
        income=pl.when(rng.uniform(n) >= 0.10).then(rounded),
        desil=pl.when(rng.uniform(n) >= 0.15).then(rng.choose(n, _DESIL_WEIGHTS) + 1),
        disability=rng.uniform(n) < 0.02,
        phone=pl.when(rng.uniform(n) < 0.85).then(phone),
    )
    women = int((~people["man"]).sum())
    single_women = int((~people["man"] & (people["size"] == 1)).sum())
    head_share = min(1.0, 0.08 * women / single_women) if single_women else 0.0
    people = people.with_columns(
        female_head=(~pl.col("man")) & (pl.col("size") == 1) & (rng.uniform(n) < head_share),
        name=_names(people, rng, _style(areas)),
        birth_place=_birth_places(people, areas, rng),
    )
    return people


def _style(areas: Areas) -> NameStyle:
    return regional.style_for(areas.kabupaten) if areas.regional else regional.SASAK


def _names(people: pl.DataFrame, rng: SeededRandom, style: NameStyle) -> pl.Series:
    """Names of 1-3 words: in the Sasak style "Lalu"/"Baiq" (nobility) and "Amaq"/"Inaq"
    (parent of…) in villages; haji titles for elders, rarely a degree."""
    n = people.height
    man, age = people["man"], people["age"]
    village = ~people["kelurahan"]
    words = rng.choose(n, (40, 54, 6)) + 1
    prefix_u, title_u = rng.uniform(n), rng.uniform(n)
    men, women = style.men, style.women
    men_first, women_first = style.men_first, style.women_first
    given_m = gather(men, rng.below(n, len(men)))
    given_w = gather(women, rng.below(n, len(women)))
    second_m = gather(men, rng.below(n, len(men)))
    second_w = gather(women, rng.below(n, len(women)))
    first_m = gather([f for f, _ in men_first], rng.choose(n, [w for _, w in men_first]))
    first_w = gather([f for f, _ in women_first], rng.choose(n, [w for _, w in women_first]))
    child = gather(men + women, rng.below(n, len(men) + len(women)))
    frame = pl.DataFrame({"man": man, "age": age, "village": village, "words": words})
    frame = frame.with_columns(
        p=prefix_u,
        t=title_u,
        given=pl.when(man).then(given_m).otherwise(given_w),
        second=pl.when(man).then(second_m).otherwise(second_w),
        first=pl.when(man).then(first_m).otherwise(first_w),
        child=child,
    )

    def by_sex(man_word: str, woman_word: str) -> pl.Expr:
        return pl.when(pl.col("man")).then(pl.lit(man_word)).otherwise(pl.lit(woman_word))

    parent_of = pl.col("village") & (pl.col("p") < 0.04) & pl.lit(style.parent is not None)
    noble = (pl.col("p") >= 0.04) & (pl.col("p") < 0.14) & pl.lit(style.noble is not None)
    noble_man, noble_woman = style.noble or ("", "")
    father, mother = style.parent or ("", "")
    haji = (pl.col("age") >= 45) & (pl.col("t") < pl.when(pl.col("man")).then(0.12).otherwise(0.08))
    degree = pl.col("age").is_between(25, 55) & (pl.col("t") > 0.995) & ~parent_of
    written = pl.concat_str(
        pl.when(haji).then(by_sex("H.", "Hj.")),
        pl.when(noble).then(by_sex(noble_man, noble_woman)),
        pl.when(pl.col("words") >= 2).then(pl.col("first")),
        pl.col("given"),
        pl.when((pl.col("words") == 3) & ~noble).then(pl.col("second")),
        separator=" ",
        ignore_nulls=True,
    )
    name = (
        pl.when(parent_of)
        .then(pl.concat_str(by_sex(father, mother), pl.col("child"), separator=" "))
        .when(degree)
        .then(pl.concat_str(written, pl.lit(", S.Pd")))
        .otherwise(written)
    )
    return frame.select(name.alias("name")).to_series()


def _birth_places(people: pl.DataFrame, areas: Areas, rng: SeededRandom) -> pl.Series:
    n = people.height
    kind = rng.choose(n, (45, 25, 15, 15))
    elsewhere = areas.elsewhere or [areas.name]
    return pl.select(
        pl.when(kind == 0)
        .then(gather([d.name for d in areas.desa], people["desa"]))
        .when(kind == 1)
        .then(gather([name for _c, name in areas.kecamatan], people["kecamatan"]))
        .when(kind == 2)
        .then(pl.lit(areas.name))
        .otherwise(gather(elsewhere, rng.below(n, len(elsewhere))))
    ).to_series()


def text_columns(people: pl.DataFrame, areas: Areas) -> pl.DataFrame:
    """COLUMNS as strings, as a clean file writes them."""
    yes_no = {True: "Ya", False: "Tidak"}
    first, second = _style(areas).dusun_first, _style(areas).dusun_second
    dusun = [
        f"Dusun {first[(i * 7 + j * 5) % len(first)]} {second[(i * 11 + j * 3) % len(second)]}"
        for i in range(len(areas.desa))
        for j in range(_DUSUN_PER_DESA)
    ]
    labels = [OCCUPATION_LABELS[o] for o in _OCCUPATIONS]
    rt = pl.col("rt").cast(pl.String).str.zfill(3)
    return people.select(
        pl.int_range(1, pl.len() + 1).cast(pl.String).alias("No"),
        pl.col("nik").alias("NIK"),
        pl.col("no_kk").alias("No KK"),
        pl.col("name").alias("Nama Lengkap"),
        pl.when(pl.col("man")).then(pl.lit("L")).otherwise(pl.lit("P")).alias("Jenis Kelamin"),
        pl.col("birth_place").alias("Tempat Lahir"),
        pl.col("birth_date").dt.strftime("%d-%m-%Y").alias("Tanggal Lahir"),
        pl.concat_str(
            gather(dusun, people["desa"] * _DUSUN_PER_DESA + people["dusun"]),
            pl.when(pl.col("rt") <= 5).then(pl.format(", RT {}", rt)),
            ignore_nulls=True,
        ).alias("Alamat"),
        gather([d.name for d in areas.desa], people["desa"]).alias("Desa/Kelurahan"),
        gather([name for _c, name in areas.kecamatan], people["kecamatan"]).alias("Kecamatan"),
        gather(labels, people["occupation"]).alias("Pekerjaan"),
        pl.col("income").cast(pl.String).alias("Penghasilan"),
        pl.col("phone").alias("No HP"),
        pl.col("desil").cast(pl.String).alias("Desil"),
        pl.col("disability").replace_strict(yes_no, return_dtype=pl.String).alias("Disabilitas"),
        pl.col("female_head")
        .replace_strict(yes_no, return_dtype=pl.String)
        .alias("Perempuan Kepala Keluarga"),
    )  # fmt: skip
