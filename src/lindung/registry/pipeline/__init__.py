"""The import pipeline: a worker list (XLSX/XLS/ODS/CSV) in, row outcomes and a bulk write out.

    read      read.read_table(path, sheet=...)  -> Sheet: text columns named by FIELDS, `_row`
              (lindung.sheets.read_table with the worker table read.WORKERS)
    values    values.*: vectorised parsers of one column each (NIK, dates, sex, income, names…)
    validate  validate.validate(sheet.frame, ...) -> one typed row per input row + errors/warnings
    decide    decide.decide(checked, existing, scope=...) -> new / updated / unchanged / rejected
    load      load.write(...)                    -> one transaction, COPY or executemany
    report    report.write_report(...)           -> the fix-and-reupload XLSX

Every step but `load` is a pure function over Polars frames, tested on small inline frames.

Column names of `Sheet.frame` (all `pl.String`, null when the file has no such column or the
cell is empty), in FIELDS order, followed by:
    _row          pl.Int64    the row number as the user sees it in the spreadsheet (1-based)
    _nik_numeric  pl.Boolean  the NIK cell was a number in the spreadsheet (Excel's 15 digits)
"""

# The canonical fields a worker list may carry. `read` maps header variants onto these names.
FIELDS = (
    "nik",
    "no_kk",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "birth_place_date",  # "Tempat, Tgl Lahir" combined: "Selong, 28-05-1980"
    "phone",
    "address",
    "kabupaten",
    "kecamatan",
    "desa",
    "occupation",
    "income",
    "desil",
    "disability",
    "female_head",
)
