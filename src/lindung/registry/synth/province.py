"""A province's workers: `lindung synth --province 52 --rows N [--split] --out FILE|FOLDER`.

    plan = plan_province("52", rows=200_000, seed=1)   # its kabupaten/kota and their rows
    files = write_province(plan, Path("ntb.csv"))      # one file, or split=True: one a kabupaten

The rows go to every kabupaten/kota of the province in the wilayah tree, in proportion to its
population (its latest `regions.Population` figure) or, for one without a figure, to its number
of desa/kelurahan (scaled by the people per desa of those with a figure, when some have one),
rounded so that they add up to N (largest remainders).

Each kabupaten's list is made as `generate` makes one (its own desa, its names and trades:
`regional`), with the seed and the kabupaten's code as the seed of its draws, one kabupaten at a
time: memory grows with the largest kabupaten, not the province. NIKs are unique across the
province. Those of a kabupaten's own kecamatan cannot meet another kabupaten's; a worker whose
NIK was issued in another kabupaten (2%, `OTHER_REGION_SHARE`) takes the next serial after that
kabupaten's own NIKs of the same kecamatan and birth date. To know them, a first pass makes the
skeleton of every kabupaten's people (`make_skeleton`: desa, sex, birth date) and numbers their
NIKs; the second makes the lists.

The whole-province file is the kabupaten's lists one after the other in code order (`No`
counts on across them; with `messy` each keeps its own numbering, blank rows and "JUMLAH" row,
as lists merged by hand do). With `split` each kabupaten's list is its own CSV file,
`pekerja-52.01.csv` …, in a folder. The same arguments give the same files, byte for byte.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from lindung.regions.models import Level, Population, Region
from lindung.registry.synth.errors import SynthError
from lindung.registry.synth.layout import XlsxSheet, check_suffix
from lindung.registry.synth.nik import plan_niks, serials
from lindung.registry.synth.people import make_skeleton
from lindung.registry.synth.places import Areas
from lindung.registry.synth.synthetic import make_list, nik_faults

_MAX_SERIAL = 9999


@dataclass(frozen=True)
class Share:
    """One kabupaten/kota's part of a province file."""

    code: str  # "52.01"
    name: str  # "Kabupaten Lombok Barat"
    rows: int
    population: int | None  # the figure its share follows; None: its desa/kelurahan
    desa: int  # desa/kelurahan in the tree


@dataclass(frozen=True)
class ProvincePlan:
    province: str  # "52"
    name: str  # "Nusa Tenggara Barat"
    rows: int
    seed: int
    messy: bool
    shares: list[Share]
    areas: dict[str, Areas]

    @property
    def title(self) -> str:
        return f"DAFTAR PEKERJA BUKAN PENERIMA UPAH PROVINSI {self.name.upper()}"


@dataclass(frozen=True)
class Part:
    """One kabupaten's list, as `Synthetic.frame` holds one."""

    share: Share
    frame: pl.DataFrame
    numeric_niks: dict[int, int]  # frame position → NIK written as a number (XLSX)


def split_name(code: str) -> str:
    """The file of one kabupaten/kota with --split."""
    return f"pekerja-{code}.csv"


def plan_province(province: str, *, rows: int, seed: int = 1, messy: bool = False) -> ProvincePlan:
    """Which kabupaten/kota of `province` get how many of `rows` workers."""
    if rows < 1:
        raise SynthError(_("The number of rows must be at least 1."))
    region = Region.objects.filter(code=province, level=Level.PROVINSI).first()
    if region is None:
        raise SynthError(_("%(code)s is not a province code.") % {"code": province})
    kabupaten = list(
        Region.objects.within([province])
        .filter(level=Level.KABUPATEN_KOTA)
        .order_by("code")
        .values_list("code", "name")
    )
    if not kabupaten:
        raise SynthError(
            _("%(code)s has no kabupaten/kota in the wilayah tree.") % {"code": province}
        )
    codes = [code for code, _name in kabupaten]
    areas = {code: Areas.load(code, messy=messy, regional=True) for code in codes}
    # Ordered by year: the latest figure of a kabupaten is the one the dict keeps.
    population = dict(
        Population.objects.filter(region_id__in=codes)
        .order_by("region_id", "year")
        .values_list("region_id", "count")
    )
    desa = [len(areas[code].desa) for code in codes]
    counts = allocate(rows, weights([population.get(code) for code in codes], desa))
    shares = [
        Share(code, name, count, population.get(code), n)
        for (code, name), count, n in zip(kabupaten, counts, desa, strict=True)
    ]
    return ProvincePlan(province, region.name, rows, seed, messy, shares, areas)


def weights(population: Sequence[int | None], desa: Sequence[int]) -> list[float]:
    """Each kabupaten's weight: its population; without one, its desa/kelurahan times the
    people per desa of those with a figure (or just its desa when none has one)."""
    known = [(p, d) for p, d in zip(population, desa, strict=True) if p]
    per_desa = sum(p for p, _d in known) / sum(d for _p, d in known) if known else 1.0
    return [float(p) if p else d * per_desa for p, d in zip(population, desa, strict=True)]


def allocate(rows: int, weights: Sequence[float]) -> list[int]:
    """`rows` in proportion to `weights`, whole numbers that add up to `rows`: each its floor,
    then one more to the largest remainders (the first on a tie)."""
    total = sum(weights)
    exact = [rows * weight / total for weight in weights]
    counts = [int(value) for value in exact]
    order = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: rows - sum(counts)]:
        counts[i] += 1
    return counts


def parts(plan: ProvincePlan) -> Iterator[Part]:
    """Each kabupaten's list in code order, made when asked for (kabupaten without rows are
    left out)."""
    moved = _moved_serials(plan)
    for share in plan.shares:
        if not share.rows:
            continue
        made = make_list(
            share.rows,
            plan.areas[share.code],
            _seed(plan.seed, share.code),
            messy=plan.messy,
            moved_serials=moved[share.code],
        )
        yield Part(share, made.frame, made.numeric_niks)


def write_province(plan: ProvincePlan, out: Path, *, split: bool = False) -> list[Path]:
    """Write the province's lists: one file `out` (.csv or .xlsx), or with `split` one CSV file
    per kabupaten/kota in the folder `out`. Returns the files written."""
    if split:
        if out.exists() and not out.is_dir():
            raise SynthError(
                _("%(path)s is a file: with --split, --out names a folder.") % {"path": out}
            )
        out.mkdir(parents=True, exist_ok=True)
        files = []
        for part in parts(plan):
            files.append(out / split_name(part.share.code))
            _write_csv(part.frame, files[-1])
        return files
    suffix = check_suffix(out.suffix)
    if suffix == ".xlsx":
        sheet = XlsxSheet(out, title=plan.title)
        for part in parts(plan):
            sheet.add(part.frame, numeric_niks=part.numeric_niks)
        sheet.close()
        return [out]
    with out.open("wb") as stream:
        numbered = 0
        for part in parts(plan):
            frame = part.frame
            if not plan.messy:  # `No` counts on across the kabupaten
                frame = frame.with_columns((pl.col("No").cast(pl.Int64) + numbered).cast(pl.String))
            frame.write_csv(
                stream,
                include_header=numbered == 0,
                separator=";",
                null_value="",
                line_terminator="\n",
            )
            numbered += part.frame.height
    return [out]


def _write_csv(frame: pl.DataFrame, path: Path) -> None:
    frame.write_csv(path, separator=";", null_value="", line_terminator="\n")


def _seed(seed: int, kabupaten: str) -> str:
    """The seed of one kabupaten's draws: each kabupaten draws its own people."""
    return f"{seed}:{kabupaten}"


def _moved_serials(plan: ProvincePlan) -> dict[str, pl.Series]:
    """Per kabupaten, the serials of its workers with another kabupaten's NIK (in the order of
    `NikPlan.moved`): after the highest serial of that kabupaten's own NIKs of the same
    kecamatan, birth date and sex, then in the order of the province file."""
    tops, moved = [], []
    for index, share in enumerate(plan.shares):
        if not share.rows:
            continue
        seed, areas = _seed(plan.seed, share.code), plan.areas[share.code]
        skeleton = make_skeleton(share.rows, areas, seed)
        nik = plan_niks(skeleton, areas, nik_faults(share.rows, seed, messy=plan.messy), seed)
        del skeleton
        is_moved = pl.repeat(False, len(nik.prefix), eager=True).scatter(nik.moved, True)
        own = pl.DataFrame({"prefix": nik.prefix, "top": serials(nik)}).filter(~is_moved)
        tops.append(own.group_by("prefix").agg(pl.col("top").max()))
        moved.append(
            pl.DataFrame(
                {
                    "part": pl.Series([index] * len(nik.moved), dtype=pl.Int64),
                    "prefix": nik.prefix.gather(nik.moved),
                },
                schema={"part": pl.Int64, "prefix": pl.Int64},
            )
        )
    top = pl.concat(tops).group_by("prefix").agg(pl.col("top").max())
    numbered = (
        pl.concat(moved)
        .with_row_index("order")
        .join(top, on="prefix", how="left")
        .sort("order")
        .with_columns(serial=pl.col("top").fill_null(0) + 1 + pl.int_range(pl.len()).over("prefix"))
    )
    if numbered.filter(pl.col("serial") > _MAX_SERIAL).height:
        raise SynthError(_("More than 9999 workers share a kecamatan and birth date."))
    by_part = numbered.partition_by("part", as_dict=True, include_key=False)
    return {
        share.code: by_part[(index,)]["serial"].cast(pl.Int64)
        if (index,) in by_part
        else pl.Series([], dtype=pl.Int64)
        for index, share in enumerate(plan.shares)
    }
