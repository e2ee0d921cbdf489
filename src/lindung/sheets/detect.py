"""The format of a file from its content, not its name: XLSX or ODS (zip, after checking the
declared sizes of its members), XLS or a password-protected XLSX (OLE2), or CSV."""

from __future__ import annotations

import codecs
import mmap
import zipfile
from pathlib import Path

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from lindung.sheets.errors import ReadError, ReadErrorCode, corrupt, encrypted
from lindung.sheets.limits import Limits
from lindung.sheets.table import Table

_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_ENCRYPTION_STREAMS = (
    "EncryptionInfo".encode("utf-16-le"),
    "EncryptedPackage".encode("utf-16-le"),
)
_OTHER_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def detect_format(path: Path, limits: Limits, table: Table) -> str:
    """ "xlsx", "ods", "xls" or "csv"; ReadError for anything else."""
    with path.open("rb") as stream:
        head = stream.read(8192)
    if head.startswith(b"PK"):
        return _zip_format(path, limits, table)
    if head.startswith(_OLE2_MAGIC):
        if _is_encrypted_ooxml(path):
            raise encrypted()
        return "xls"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        raise ReadError(
            ReadErrorCode.FORMAT_UNKNOWN,
            _(
                "The file is a web page or XML file saved under a spreadsheet name, not a real "
                "spreadsheet. Open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) "
                "and upload the new file."
            ),
        )
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    # A text file may hold a stray NUL byte (dropped when read); a binary file holds many
    # control bytes.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    binary = not utf16 and controls > 8 + len(head) // 100
    if head.startswith(_OTHER_MAGIC) or binary:
        raise ReadError(ReadErrorCode.FORMAT_UNKNOWN, _(table.wording.not_spreadsheet))
    return "csv"


def _zip_format(path: Path, limits: Limits, table: Table) -> str:
    """xlsx or ods, after checking the declared sizes of every member (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(member.file_size for member in members)
            bomb = total > limits.max_uncompressed_bytes or any(
                member.file_size > limits.min_bomb_bytes
                and member.file_size > limits.max_compression_ratio * max(member.compress_size, 1)
                for member in members
            )
            if bomb:
                raise ReadError(
                    ReadErrorCode.ZIP_BOMB,
                    _(
                        "The file is packed in an unusual way (it would unpack to %(size)s) and "
                        "was not opened, for safety. Open it in Excel or LibreOffice, save it "
                        "again as .xlsx and upload the new file."
                    )
                    % {"size": filesizeformat(total)},
                )
            if any(member.flag_bits & 0x1 for member in members):
                raise encrypted()
            names = {member.filename for member in members}
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names:
                if archive.read("mimetype").strip() == _ODS_MIMETYPE:
                    return "ods"
            elif "content.xml" in names:
                return "ods"
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise corrupt() from error
    raise ReadError(ReadErrorCode.FORMAT_UNKNOWN, _(table.wording.zip_not_spreadsheet))


def _is_encrypted_ooxml(path: Path) -> bool:
    """A password-protected .xlsx is an OLE2 container holding an "EncryptionInfo" stream."""
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return any(data.find(name) != -1 for name in _OOXML_ENCRYPTION_STREAMS)
