"""NIK and No. KK, built from the kecamatan, the birth date and a serial."""

import datetime

import polars as pl
from django.utils.translation import gettext as _

from lindung.registry.synth.errors import SynthError
from lindung.registry.synth.faults import Faults
from lindung.registry.synth.people import gather
from lindung.registry.synth.places import Areas
from lindung.registry.synth.randomness import SeededRandom


def with_nik(people: pl.DataFrame, areas: Areas, faults: Faults, seed: int) -> pl.DataFrame:
    """NIK and No. KK. A NIK is the kecamatan (6 digits), the birth date DDMMYY (women +40 on
    the day) and a serial from 0001 up among the file's NIKs of that kecamatan and date."""
    n = people.height
    rng = SeededRandom(seed, "nik")
    kec_digits = pl.Series([int(code.replace(".", "")) for code, _ in areas.kecamatan])
    nik_kec = kec_digits.gather(people["kecamatan"])
    moved = faults.get("nik_other_region")
    if moved and areas.origins:
        origin = rng.choose(len(moved), [w for _c, _n, w in areas.origins])
        codes = pl.Series([int(c.replace(".", "")) for c, _n, _w in areas.origins]).gather(origin)
        places = gather([name for _c, name, _w in areas.origins], origin)
        nik_kec = nik_kec.scatter(moved, codes)
        people = people.with_columns(birth_place=people["birth_place"].scatter(moved, places))
    young = faults.get("age_implausible")
    if young:
        first = (datetime.date(2021, 1, 1) - datetime.date(1970, 1, 1)).days
        days = (rng.below(len(young), 3 * 365) + first).cast(pl.Int32).cast(pl.Date)
        people = people.with_columns(birth_date=people["birth_date"].scatter(young, days))
    zero = pl.Series([False] * n).scatter(faults.get("nik_numeric_zero"), True)
    women = (~people["man"]).cast(pl.Int64) * 40 * 10**4  # 40 added to the day
    prefix = nik_kec * 10**6 + _ddmmyy(people["birth_date"]) + women
    serial = _serials(prefix, zero)
    households = people.select("household", "kecamatan", "kk_issued").unique("household")
    households = households.sort("household")
    first_issue = (datetime.date(2008, 1, 1) - datetime.date(1970, 1, 1)).days
    issued = (households["kk_issued"] + first_issue).cast(pl.Int32).cast(pl.Date)
    kk_prefix = kec_digits.gather(households["kecamatan"]) * 10**6 + _ddmmyy(issued)
    kk = households.select(
        "household", no_kk=(kk_prefix * 10**4 + _serials(kk_prefix, None)).cast(pl.String)
    )
    people = people.with_columns(nik=(prefix * 10**4 + serial).cast(pl.String))
    return people.join(kk, on="household", how="left", maintain_order="left")


def _ddmmyy(date: pl.Series) -> pl.Series:
    """The date as the number DDMMYY."""
    day, month = date.dt.day().cast(pl.Int64), date.dt.month().cast(pl.Int64)
    return day * 10**4 + month * 100 + date.dt.year().cast(pl.Int64) % 100


def _serials(prefix: pl.Series, zero: pl.Series | None) -> pl.Series:
    """0001, 0002… in file order among rows sharing a prefix. Rows flagged `zero` get serials
    ending in 0 above the others' (their NIK ends in 0 anyway: Excel loses nothing, but an
    importer cannot know)."""
    if zero is None:
        zero = pl.Series([False] * len(prefix))
    frame = pl.DataFrame({"prefix": prefix, "zero": zero})
    frame = frame.with_columns(rank=pl.int_range(pl.len()).over("prefix", "zero"))
    normal_top = pl.when(~pl.col("zero")).then(pl.col("rank") + 1).otherwise(0).max().over("prefix")
    serial = frame.select(
        pl.when(pl.col("zero"))
        .then((normal_top // 10 + 1 + pl.col("rank")) * 10)
        .otherwise(pl.col("rank") + 1)
    ).to_series()
    if len(serial) and (serial > 9999).any():
        raise SynthError(_("More than 9999 workers share a kecamatan and birth date."))
    return serial.cast(pl.Int64)
