"""Reading the loaders' files (strict UTF-8, CSV with checked rows), the error they raise, and
the listing of problems in its messages."""

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

# How many problems one error message lists before it says "and N more".
LISTED_PROBLEMS = 10


class LoadError(Exception):
    """A file that cannot be loaded; the message says what and where."""


def read_text(path: Path) -> str:
    """A file's text, strictly UTF-8 (a BOM is allowed), or a LoadError naming the line."""
    if not path.exists():
        raise LoadError(_("File not found: %(path)s") % {"path": path})
    if not path.is_file():
        raise LoadError(_("Not a file: %(path)s") % {"path": path})
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoadError(
            _("%(path)s is not UTF-8 text (invalid byte at line %(line)s). Save it as UTF-8.")
            % {"path": path.name, "line": line}
        ) from exc
    if not text.strip():
        raise LoadError(_("%(path)s is empty.") % {"path": path.name})
    return text


def read_csv_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line number, values) of every non-blank row, values stripped.

    Every row must have as many values as the header (a cut last line has fewer), and quotes must
    close; otherwise a LoadError names the line.
    """
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = [column.strip() for column in next(reader)]
        for values in reader:
            values = [value.strip() for value in values]
            if not any(values):
                continue  # a blank line, or one of only commas as spreadsheets leave
            if len(values) > len(header) and not any(values[len(header) :]):
                values = values[: len(header)]
            if len(values) != len(header):
                raise LoadError(
                    _(
                        "%(path)s line %(line)s has %(found)s values where the header has "
                        "%(expected)s (the file may be truncated, or a value has an unquoted "
                        "comma)."
                    )
                    % {
                        "path": path.name,
                        "line": reader.line_num,
                        "found": len(values),
                        "expected": len(header),
                    }
                )
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise LoadError(
            _(
                "%(path)s line %(line)s cannot be read as CSV: %(error)s (the file may be "
                "truncated)."
            )
            % {"path": path.name, "line": reader.line_num, "error": exc}
        ) from exc
    return header, rows


def read_csv(path: Path, expected: list[str]) -> pl.DataFrame:
    """The expected columns of a CSV whose header starts with them, as text, plus `line`."""
    header, rows = read_csv_rows(path)
    if header[: len(expected)] != expected:
        raise LoadError(
            _("%(path)s: expected the columns %(expected)s in line 1, found %(found)s.")
            % {"path": path.name, "expected": ",".join(expected), "found": ",".join(header)}
        )
    columns = {name: [values[i] for _line, values in rows] for i, name in enumerate(expected)}
    return pl.DataFrame(
        {**columns, "line": [line for line, _values in rows]},
        schema={**dict.fromkeys(expected, pl.String), "line": pl.Int64},
    )


def problem_lines(problems: list[tuple[int, str]]) -> list[str]:
    return [_("line %(line)s: %(code)s") % {"line": line, "code": code} for line, code in problems]


def listing(items: Iterable[str]) -> str:
    """`"a; b; c"`, or the first LISTED_PROBLEMS items and "and N more"."""
    items = list(items)
    text = "; ".join(items[:LISTED_PROBLEMS])
    if len(items) > LISTED_PROBLEMS:
        text += " " + _("and %(count)s more") % {"count": len(items) - LISTED_PROBLEMS}
    return text
