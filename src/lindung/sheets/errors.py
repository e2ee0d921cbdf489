"""ReadError and its codes (a public interface: `lindung import --json`, the preview page and
the report show them), and the messages shared by every format."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from lindung.sheets.limits import Limits
    from lindung.sheets.table import Table


class ReadErrorCode(StrEnum):
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    ZIP_BOMB = "ZIP_BOMB"
    FILE_ENCRYPTED = "FILE_ENCRYPTED"
    FILE_CORRUPT = "FILE_CORRUPT"
    FORMAT_UNKNOWN = "FORMAT_UNKNOWN"
    SHEET_NOT_FOUND = "SHEET_NOT_FOUND"
    SHEET_HIDDEN = "SHEET_HIDDEN"
    SHEET_TOO_LARGE = "SHEET_TOO_LARGE"
    HEADER_NOT_FOUND = "HEADER_NOT_FOUND"
    COLUMNS_MISSING = "COLUMNS_MISSING"
    FILE_EMPTY = "FILE_EMPTY"


class ReadError(Exception):
    """The file cannot be imported as a whole; `message` tells the operator what to do."""

    def __init__(
        self,
        code: ReadErrorCode,
        message: str,
        *,
        found: Sequence[str] = (),
        expected: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.code: str = code
        self.message = message
        self.found = list(found)
        self.expected = list(expected)


def too_large(size: int, limits: Limits) -> ReadError:
    return ReadError(
        ReadErrorCode.FILE_TOO_LARGE,
        _(
            "The file is %(size)s, more than the limit of %(limit)s. Split the list into "
            "several files and upload them one by one."
        )
        % {"size": filesizeformat(size), "limit": filesizeformat(limits.max_file_bytes)},
    )


def encrypted() -> ReadError:
    return ReadError(
        ReadErrorCode.FILE_ENCRYPTED,
        _(
            "The file is protected with a password. Open it in Excel, remove the password "
            "(File > Info > Protect Workbook > Encrypt with Password, clear the password), save "
            "it again and upload the new file."
        ),
    )


def corrupt() -> ReadError:
    return ReadError(
        ReadErrorCode.FILE_CORRUPT,
        _(
            "The file is damaged and cannot be read. Open it in Excel or LibreOffice; if it "
            "opens, save it again as .xlsx and upload the new file. Otherwise ask the sender for "
            "a new copy."
        ),
    )


def empty(table: Table) -> ReadError:
    return ReadError(ReadErrorCode.FILE_EMPTY, _(table.wording.empty))


def too_many(rows: int, limits: Limits, table: Table) -> ReadError:
    return ReadError(
        ReadErrorCode.TOO_MANY_ROWS,
        _(table.wording.too_many_rows)
        % {
            "limit": number_format(limits.max_rows, force_grouping=True),
            "rows": number_format(rows, force_grouping=True),
        },
    )
