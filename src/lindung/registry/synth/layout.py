"""The file layout: columns, first data rows, blank rows and the footer, the XLSX sheet."""

from pathlib import Path

import polars as pl
import xlsxwriter
from django.utils.translation import gettext as _

from lindung.formats import format_number
from lindung.registry.synth.errors import SynthError
from lindung.registry.synth.randomness import Seed, SeededRandom

# The headers of a Disnakertrans list, in its order.
COLUMNS = (
    "No", "NIK", "No KK", "Nama Lengkap", "Jenis Kelamin", "Tempat Lahir", "Tanggal Lahir",
    "Alamat", "Desa/Kelurahan", "Kecamatan", "Pekerjaan", "Penghasilan", "No HP", "Desil",
    "Disabilitas", "Perempuan Kepala Keluarga",
)  # fmt: skip
SUFFIXES = (".csv", ".xlsx")
# The row number of the first data row: CSV has the header on line 1; XLSX has a title row and a
# blank row above the header, as real files do.
FIRST_ROW = {".csv": 2, ".xlsx": 4}
XLSX_MAX_ROWS = 1_048_576


def check_suffix(suffix: str) -> str:
    """The suffix in lower case; SynthError unless it is .csv or .xlsx."""
    suffix = suffix.lower()
    if suffix not in SUFFIXES:
        raise SynthError(_("The file name must end in .csv or .xlsx."))
    return suffix


def lay_out(
    frame: pl.DataFrame, rows: int, seed: Seed, *, messy: bool
) -> tuple[pl.DataFrame, list[int], int]:
    """The frame as the file has it: with `messy`, blank rows between data rows and a blank row
    and a "JUMLAH" footer at the end. Returns it, each data row's position and the count of
    skipped rows."""
    if not messy:
        return frame, list(range(rows)), 0
    rng = SeededRandom(seed, "layout")
    blanks = sorted(
        1 + int(rng.random() * max(rows - 1, 1)) for _blank in range(max(1, rows // 2500))
    )
    source: list[int | None] = []
    positions: list[int] = []
    blank_iter = iter([*blanks, rows + 1])
    next_blank = next(blank_iter)
    for row in range(rows):
        while row == next_blank:
            source.append(None)
            next_blank = next(blank_iter)
        positions.append(len(source))
        source.append(row)
    source.extend([None, None])
    index = pl.Series(source, dtype=pl.UInt32)
    laid_out = frame.select(pl.all().gather(index))
    footer = laid_out.height - 1
    is_footer = pl.int_range(pl.len()) == footer
    laid_out = laid_out.with_columns(
        pl.when(is_footer).then(pl.lit("JUMLAH")).otherwise(pl.col("No")).alias("No")
    )
    return laid_out, positions, len(source) - rows


_WIDTHS = (7, 19, 19, 28, 6, 16, 12, 26, 20, 16, 20, 12, 15, 6, 10, 12)
_NUMBER_COLUMNS = frozenset({0, 11, 13})  # No, Penghasilan, Desil: number cells when digits


def write_xlsx(
    path: Path, frame: pl.DataFrame, *, title: str, numeric_niks: dict[int, int]
) -> None:
    """One sheet in xlsxwriter's constant-memory mode: a title row, a blank row, the header,
    then the rows. NIK, No KK, No HP and dates are text cells; No, income and desil numbers."""
    _check_xlsx_rows(frame.height)
    sheet = XlsxSheet(path, title=title)
    sheet.add(frame, numeric_niks=numeric_niks)
    sheet.close()


def _check_xlsx_rows(rows: int) -> None:
    first = FIRST_ROW[".xlsx"] - 1  # 0-based
    if first + rows > XLSX_MAX_ROWS:
        raise SynthError(
            _("An XLSX sheet holds at most %(count)s rows.")
            % {"count": format_number(XLSX_MAX_ROWS - first)}
        )


class XlsxSheet:
    """The sheet of `write_xlsx`, written frame after frame (a province file, one kabupaten at
    a time); `close` writes the file."""

    def __init__(self, path: Path, *, title: str) -> None:
        self.workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self.sheet = self.workbook.add_worksheet("Data Pekerja")
        self.rows = 0
        bold = self.workbook.add_format({"bold": True})
        for column, width in enumerate(_WIDTHS):
            self.sheet.set_column(column, column, width)
        self.sheet.write_string(0, 0, title, bold)
        for column, header in enumerate(COLUMNS):
            self.sheet.write_string(FIRST_ROW[".xlsx"] - 2, column, header, bold)

    def add(self, frame: pl.DataFrame, *, numeric_niks: dict[int, int]) -> None:
        """The frame's rows below those added before; `numeric_niks` by position in `frame`."""
        _check_xlsx_rows(self.rows + frame.height)
        first = FIRST_ROW[".xlsx"] - 1 + self.rows  # 0-based
        write_string, write_number = self.sheet.write_string, self.sheet.write_number
        numbers, numeric = _NUMBER_COLUMNS, numeric_niks
        for position, values in enumerate(frame.iter_rows()):
            row = first + position
            for column, value in enumerate(values):
                if value is None:
                    continue
                if column in numbers and value.isdigit():
                    write_number(row, column, int(value))
                elif column == 1 and position in numeric:
                    write_number(row, column, numeric[position])
                else:
                    write_string(row, column, value)
        self.rows += frame.height

    def close(self) -> None:
        self.workbook.close()
