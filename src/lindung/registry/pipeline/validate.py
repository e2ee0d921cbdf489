"""Validate: the text columns of a worker list become typed worker fields plus, per row, the
error codes that reject it and the warning codes that keep it (see codes.py).

    checked = validate(sheet.frame, places=Places.for_deployment(), today=date(2026, 11, 25))

Pure Polars over the frame; wilayah names are resolved once per distinct (kabupaten, kecamatan,
desa) combination through `regions.lookup.RegionIndex`, so a million rows cost a few thousand
lookups.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

import lindung.registry.pipeline.values as v
from lindung.regions import scope as region_scope
from lindung.regions.lookup import LookupResult, Match, RegionIndex
from lindung.registry.pipeline import FIELDS
from lindung.registry.pipeline.codes import MAX_AGE, MIN_AGE, RowError, RowWarning

# The worker fields a checked frame carries, in the order the load step writes them.
WORKER_COLUMNS = (
    "nik",
    "no_kk",
    "name",
    "name_key",
    "sex",
    "birth_date",
    "birth_place",
    "phone",
    "address",
    "kabupaten_id",
    "kecamatan_id",
    "desa_id",
    "occupation",
    "income",
    "desil",
    "disability",
    "female_head",
)

# Fields whose value an import may change on an existing worker, and the column of the file
# they are read from. A value counts as given (`given_<field>`) only when the file states one
# that would be stored: an empty cell, "-", or a value that cannot be read (a phone "0819", an
# income "sekitar sejuta", a desil 11, a sex "X") is not given, so it never changes or erases
# what the registry knows, and importing the same file again changes nothing.
UPDATABLE = {
    "no_kk": "no_kk",
    "name": "name",
    "sex": "sex",
    "birth_date": "birth_date",
    "birth_place": "birth_place",
    "phone": "phone",
    "address": "address",
    "desa_id": "desa",
    "occupation": "occupation",
    "income": "income",
    "desil": "desil",
    "disability": "disability",
    "female_head": "female_head",
}

# The lengths of the worker's text columns (registry.models.Worker): longer text is cut, so
# that what is compared is what is stored, on SQLite as on PostgreSQL.
NAME_LENGTH = 200
BIRTH_PLACE_LENGTH = 100
ADDRESS_LENGTH = 300


@dataclass(frozen=True)
class Place:
    """Where one distinct wilayah text combination of the file resolved to."""

    desa: str | None  # the desa code when found inside the deployment
    error: str | None  # RowError.WILAYAH_UNKNOWN / WILAYAH_OUTSIDE_DEPLOYMENT
    fuzzy: bool  # a misspelt name was taken as its closest official name


class Places:
    """Resolves the wilayah columns of a row: inside the deployment first, then nationally (only
    to tell "outside this regency" from "unknown")."""

    def __init__(self, deployment: list[str], local: RegionIndex, national: RegionIndex | None):
        self.deployment = deployment
        self._local = local
        self._national = national

    @classmethod
    def for_deployment(cls, deployment: list[str]) -> "Places":
        return cls(deployment, RegionIndex.for_areas(deployment), None)

    def _nation(self) -> RegionIndex:
        if self._national is None:
            from lindung.regions.models import Region

            self._national = RegionIndex(
                Region.objects.filter(level__gte=2).values_list(
                    "code", "name", "name_key", "level", "type", "parent_id"
                )
            )
        return self._national

    def inside(self, code: str) -> bool:
        return region_scope.contains(self.deployment, code)

    def resolve(self, kabupaten: str | None, kecamatan: str | None, desa: str | None) -> Place:
        if not desa:
            return Place(None, RowError.WILAYAH_UNKNOWN, False)
        fuzzy = False
        parent: str | None = None
        if kecamatan:
            kec = self._local.resolve(kecamatan, level=3)
            if not kec.found:
                return self._outside_or_unknown(kabupaten, kecamatan, desa)
            parent = kec.code
            fuzzy = kec.match == Match.FUZZY
        found = self._local.resolve(desa, level=4, parent=parent)
        if not found.found:
            return self._outside_or_unknown(kabupaten, kecamatan, desa)
        assert found.code is not None  # noqa: S101 - found implies a code
        return Place(found.code, None, fuzzy or found.match == Match.FUZZY)

    def _outside_or_unknown(self, kabupaten: str | None, kecamatan: str | None, desa: str) -> Place:
        nation = self._nation()
        result: LookupResult | None = None
        if kecamatan:
            kec = nation.resolve(kecamatan, level=3)
            if kec.match in (Match.CODE, Match.EXACT):
                result = nation.resolve(desa, level=4, parent=kec.code)
            elif kec.match == Match.AMBIGUOUS and kabupaten:
                kab = nation.resolve(kabupaten, level=2)
                if kab.found:
                    kec = nation.resolve(kecamatan, level=3, parent=kab.code)
                    if kec.found:
                        result = nation.resolve(desa, level=4, parent=kec.code)
        else:
            result = nation.resolve(desa, level=4)
        if (
            result is not None
            and result.match in (Match.CODE, Match.EXACT)
            and result.code
            and not self.inside(result.code)
        ):
            return Place(None, RowError.WILAYAH_OUTSIDE_DEPLOYMENT, False)
        return Place(None, RowError.WILAYAH_UNKNOWN, False)


def _column(frame: pl.DataFrame, name: str) -> pl.Series:
    if name in frame.columns:
        return frame.get_column(name).cast(pl.String)
    return pl.Series(name, [None] * frame.height, dtype=pl.String)


def validate(
    frame: pl.DataFrame,
    *,
    places: Places,
    today: datetime.date,
    scope: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """The typed worker fields of every row, with `errors` and `warnings` (lists of codes).

    Besides WORKER_COLUMNS the result has `_row` and, per UPDATABLE field, a `given_<field>`
    boolean: the file states a value that would be stored. A value the import fills in itself
    (the sex and birth date from the NIK, "lainnya", no disability) or could not read is not
    given: it is stored for a new worker but never changes an existing one. With `scope` (the
    region codes of a region-bound operator) a desa outside them rejects the row with
    WILAYAH_OUTSIDE_SCOPE. `progress(rows done, rows)` is called between the column groups
    (a share of the rows by the work done: the columns are parsed whole, not row by row).
    """
    n = frame.height

    def done(share: float) -> None:
        if progress is not None:
            progress(int(n * share), n)

    text = {name: _column(frame, name) for name in FIELDS}
    numeric = (
        frame.get_column("_nik_numeric")
        if "_nik_numeric" in frame.columns
        else pl.Series([False] * n)
    )
    nik = v.clean_nik(text["nik"], numeric)
    facts = v.nik_facts(nik.get_column("nik"), today)
    done(0.25)

    split = v.split_place_date(text["birth_place_date"])
    date_text = text["birth_date"].fill_null(split.get_column("birth_date_text"))
    place_text = text["birth_place"].fill_null(split.get_column("birth_place"))
    dates = v.parse_date(date_text)
    names = v.person_name(text["name"])
    income = v.parse_income(text["income"])
    disability = v.parse_flag_answer(text["disability"])
    female_head = v.parse_flag_answer(text["female_head"])
    done(0.6)

    wilayah = _resolve_places(places, text["kabupaten"], text["kecamatan"], text["desa"])

    out = pl.DataFrame(
        {
            "_row": frame.get_column("_row"),
            "nik": nik.get_column("nik"),
            "nik_error": nik.get_column("nik_error"),
            "nik_warning": nik.get_column("nik_warning"),
            "nik_birth_date": facts.get_column("nik_birth_date"),
            "nik_sex": facts.get_column("nik_sex"),
            "nik_kabupaten": facts.get_column("nik_kabupaten"),
            "no_kk": v.clean_no_kk(text["no_kk"], pl.Series([False] * n)),
            "name": names.get_column("name").str.slice(0, NAME_LENGTH).str.strip_chars(),
            "name_key": names.get_column("name_key").str.slice(0, NAME_LENGTH).str.strip_chars(),
            "sex_read": v.parse_sex(text["sex"]),
            "date_read": dates.get_column("date"),
            "date_unreadable": dates.get_column("date_unreadable"),
            "birth_place": v.clean_text(place_text, BIRTH_PLACE_LENGTH),
            "phone": v.clean_phone(text["phone"]),
            "address": v.clean_text(text["address"], ADDRESS_LENGTH),
            "desa_id": wilayah.get_column("desa_id"),
            "wilayah_error": wilayah.get_column("wilayah_error"),
            "wilayah_fuzzy": wilayah.get_column("wilayah_fuzzy"),
            "occupation": v.parse_occupation(text["occupation"]),
            "income": income.get_column("income"),
            "income_unreadable": income.get_column("income_unreadable"),
            "desil": v.parse_desil(text["desil"]).cast(pl.Int16),
            "disability": disability.fill_null(False),
            "female_head": female_head.fill_null(False),
            # An occupation that is not recognised is "lainnya", and given: the file says
            # the worker does something else. A flag is given when it reads as a yes or a no.
            "given_occupation": v.has_text(text["occupation"]),
            "given_disability": disability.is_not_null(),
            "given_female_head": female_head.is_not_null(),
        }
    )
    # The other fields are given when the file's value is; the sex and birth date only when
    # read from their cells, not taken from the NIK (see _decide_fields).
    out = out.with_columns(
        pl.col(field).is_not_null().alias(f"given_{field}")
        for field in UPDATABLE
        if field not in ("sex", "birth_date", "occupation", "disability", "female_head")
    )
    if scope is not None:
        inside = region_scope.expr(scope, "desa_id")
        out = out.with_columns(
            pl.when(pl.col("desa_id").is_not_null() & ~inside)
            .then(pl.lit(RowError.WILAYAH_OUTSIDE_SCOPE.value))
            .otherwise(pl.col("wilayah_error"))
            .alias("wilayah_error")
        )
    done(0.8)
    checked = _decide_fields(out, places.deployment, today)
    done(1.0)
    return checked


def _resolve_places(
    places: Places, kabupaten: pl.Series, kecamatan: pl.Series, desa: pl.Series
) -> pl.DataFrame:
    keys = pl.DataFrame({"kab": kabupaten, "kec": kecamatan, "desa": desa})
    distinct = keys.unique(maintain_order=True)
    resolved = [places.resolve(kab, kec, des) for kab, kec, des in distinct.iter_rows()]
    table = distinct.with_columns(
        pl.Series("desa_id", [p.desa for p in resolved], dtype=pl.String),
        pl.Series("wilayah_error", [p.error for p in resolved], dtype=pl.String),
        pl.Series("wilayah_fuzzy", [p.fuzzy for p in resolved], dtype=pl.Boolean),
    )
    return keys.join(table, on=["kab", "kec", "desa"], how="left", nulls_equal=True)


def _decide_fields(out: pl.DataFrame, deployment: list[str], today: datetime.date) -> pl.DataFrame:
    nik_ok = pl.col("nik_error").is_null()
    date_given = pl.col("date_read").is_not_null()
    sex_given = pl.col("sex_read").is_not_null()
    birth_date = pl.coalesce(pl.col("date_read"), pl.col("nik_birth_date"))
    # Age in whole years on `today`.
    age = (
        pl.lit(today.year)
        - birth_date.dt.year()
        - (
            (birth_date.dt.month() > today.month)
            | ((birth_date.dt.month() == today.month) & (birth_date.dt.day() > today.day))
        ).cast(pl.Int32)
    )
    # The NIK only knows two digits of the year: compare day, month and yy.
    dob_mismatch = (
        nik_ok
        & date_given
        & pl.col("nik_birth_date").is_not_null()
        & (
            (pl.col("date_read").dt.day() != pl.col("nik_birth_date").dt.day())
            | (pl.col("date_read").dt.month() != pl.col("nik_birth_date").dt.month())
            | (pl.col("date_read").dt.year() % 100 != pl.col("nik_birth_date").dt.year() % 100)
        )
    )
    sex_mismatch = nik_ok & sex_given & (pl.col("sex_read") != pl.col("nik_sex"))
    other_region = (
        nik_ok
        & pl.col("nik_kabupaten").is_not_null()
        & pl.col("desa_id").is_not_null()
        & ~region_scope.expr(deployment, "nik_kabupaten")
    )
    duplicate = (
        nik_ok
        & pl.col("nik").is_not_null()
        & pl.col("nik").is_duplicated()
        & (pl.int_range(pl.len()).over("nik") > 0)
    )
    out = out.with_columns(
        date_given.alias("given_birth_date"),
        sex_given.alias("given_sex"),
        birth_date.alias("birth_date"),
        age.alias("_age"),
        pl.coalesce(pl.col("sex_read"), pl.col("nik_sex")).alias("sex"),
        pl.col("desa_id").str.slice(0, 8).alias("kecamatan_id"),
        pl.col("desa_id").str.slice(0, 5).alias("kabupaten_id"),
        duplicate.alias("_duplicate"),
        dob_mismatch.alias("_dob_mismatch"),
        sex_mismatch.alias("_sex_mismatch"),
        other_region.alias("_other_region"),
    )
    out = out.with_columns(
        pl.concat_list(
            pl.col("nik_error"),
            pl.when(pl.col("name").is_null()).then(pl.lit(RowError.NAME_MISSING.value)),
            pl.when(pl.col("date_unreadable")).then(pl.lit(RowError.DOB_INVALID.value)),
            pl.when(
                ~pl.col("date_unreadable")
                & pl.col("_age").is_not_null()
                & ((pl.col("_age") < MIN_AGE) | (pl.col("_age") > MAX_AGE))
            ).then(pl.lit(RowError.AGE_IMPLAUSIBLE.value)),
            pl.col("wilayah_error"),
            pl.when(pl.col("_duplicate")).then(pl.lit(RowError.DUPLICATE_IN_FILE.value)),
        )
        .list.drop_nulls()
        .alias("errors"),
        pl.concat_list(
            pl.col("nik_warning"),
            pl.when(pl.col("_other_region")).then(pl.lit(RowWarning.NIK_OTHER_REGION.value)),
            pl.when(pl.col("_dob_mismatch")).then(pl.lit(RowWarning.DOB_NIK_MISMATCH.value)),
            pl.when(pl.col("_sex_mismatch")).then(pl.lit(RowWarning.SEX_NIK_MISMATCH.value)),
            pl.when(pl.col("wilayah_fuzzy").fill_null(False)).then(
                pl.lit(RowWarning.WILAYAH_FUZZY.value)
            ),
            pl.when(pl.col("income_unreadable")).then(pl.lit(RowWarning.INCOME_UNREADABLE.value)),
        )
        .list.drop_nulls()
        .alias("warnings"),
    )
    return out.select(
        "_row",
        *WORKER_COLUMNS,
        *(f"given_{field}" for field in UPDATABLE),
        "errors",
        "warnings",
    )
