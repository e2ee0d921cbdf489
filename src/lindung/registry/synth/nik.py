"""NIK and No. KK, built from the kecamatan, the birth date and a serial."""

import datetime
from dataclasses import dataclass

import polars as pl
from django.utils.translation import gettext as _

from lindung.registry.synth.errors import SynthError
from lindung.registry.synth.faults import Faults
from lindung.registry.synth.people import gather
from lindung.registry.synth.places import Areas
from lindung.registry.synth.randomness import Seed, SeededRandom


@dataclass(frozen=True)
class NikPlan:
    """A file's NIKs before their serials: the first 12 digits of each row's NIK (`prefix`: the
    kecamatan, the birth date DDMMYY, women +40 on the day), the rows whose serial must end in 0
    (`zero`), the rows with a NIK of another kabupaten (`moved`, with the kecamatan written as
    their birth place) and the rows made too young (`young`, with their birth dates)."""

    prefix: pl.Series
    zero: pl.Series
    moved: list[int]
    moved_places: pl.Series | None
    young: list[int]
    young_dates: pl.Series | None


def plan_niks(people: pl.DataFrame, areas: Areas, faults: Faults, seed: Seed) -> NikPlan:
    """The NIK plan of `people` (make_skeleton's columns are enough)."""
    n = people.height
    rng = SeededRandom(seed, "nik")
    nik_kec = _kecamatan_digits(areas).gather(people["kecamatan"])
    moved, places = faults.get("nik_other_region"), None
    if moved and areas.origins:
        origin = rng.choose(len(moved), [w for _c, _n, w in areas.origins])
        codes = pl.Series([int(c.replace(".", "")) for c, _n, _w in areas.origins]).gather(origin)
        places = gather([name for _c, name, _w in areas.origins], origin)
        nik_kec = nik_kec.scatter(moved, codes)
    else:
        moved = []  # no other kabupaten: the NIK stays the kabupaten's own
    birth_date = people["birth_date"]
    young, days = faults.get("age_implausible"), None
    if young:
        first = (datetime.date(2021, 1, 1) - datetime.date(1970, 1, 1)).days
        days = (rng.below(len(young), 3 * 365) + first).cast(pl.Int32).cast(pl.Date)
        birth_date = birth_date.scatter(young, days)
    zero = pl.Series([False] * n).scatter(faults.get("nik_numeric_zero"), True)
    women = (~people["man"]).cast(pl.Int64) * 40 * 10**4  # 40 added to the day
    prefix = nik_kec * 10**6 + _ddmmyy(birth_date) + women
    return NikPlan(prefix, zero, moved, places, young, days)


def serials(plan: NikPlan) -> pl.Series:
    """The serials of a file on its own: 0001 up among the file's NIKs of a prefix."""
    return _serials(plan.prefix, plan.zero)


def with_nik(
    people: pl.DataFrame,
    areas: Areas,
    faults: Faults,
    seed: Seed,
    *,
    moved_serials: pl.Series | None = None,
) -> pl.DataFrame:
    """NIK and No. KK. A NIK is the kecamatan (6 digits), the birth date DDMMYY (women +40 on
    the day) and a serial from 0001 up among the file's NIKs of that kecamatan and date.

    `moved_serials` replaces the serials of the rows with another kabupaten's NIK (in the order
    of `NikPlan.moved`): a province file numbers them after that kabupaten's own."""
    plan = plan_niks(people, areas, faults, seed)
    if plan.moved_places is not None:
        people = people.with_columns(
            birth_place=people["birth_place"].scatter(plan.moved, plan.moved_places)
        )
    if plan.young_dates is not None:
        people = people.with_columns(
            birth_date=people["birth_date"].scatter(plan.young, plan.young_dates)
        )
    serial = serials(plan)
    if moved_serials is not None and plan.moved:
        serial = serial.scatter(plan.moved, moved_serials)
    kec_digits = _kecamatan_digits(areas)
    households = people.select("household", "kecamatan", "kk_issued").unique("household")
    households = households.sort("household")
    first_issue = (datetime.date(2008, 1, 1) - datetime.date(1970, 1, 1)).days
    issued = (households["kk_issued"] + first_issue).cast(pl.Int32).cast(pl.Date)
    kk_prefix = kec_digits.gather(households["kecamatan"]) * 10**6 + _ddmmyy(issued)
    kk = households.select(
        "household", no_kk=(kk_prefix * 10**4 + _serials(kk_prefix, None)).cast(pl.String)
    )
    people = people.with_columns(nik=(plan.prefix * 10**4 + serial).cast(pl.String))
    return people.join(kk, on="household", how="left", maintain_order="left")


def _kecamatan_digits(areas: Areas) -> pl.Series:
    return pl.Series([int(code.replace(".", "")) for code, _ in areas.kecamatan])


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
