"""Every download (exports, reports, lampiran, the import report) goes through `send_file`: the
writer (xlsxwriter, reportlab) writes to a temporary file on disk, so memory stays flat whatever
the size, and the file is removed at once.

    return send_file("lampiran.pdf", lambda path: write_pdf(path))
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.http import FileResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
CONTENT_TYPES = {".xlsx": XLSX, ".pdf": PDF}


def send_file(filename: str, write: Callable[[Path], object]) -> FileResponse:
    """`write(path)` into a temporary file, sent as the attachment `filename` with the content
    type of its suffix. The file is removed at once (the open handle keeps its data until the
    response is sent), also when `write` fails."""
    suffix = Path(filename).suffix
    handle, name = tempfile.mkstemp(suffix=suffix)
    os.close(handle)
    path = Path(name)
    try:
        write(path)
        stream = path.open("rb")
    finally:
        path.unlink(missing_ok=True)
    return FileResponse(
        stream, as_attachment=True, filename=filename, content_type=CONTENT_TYPES.get(suffix)
    )


def send_stored(filename: str, path: Path) -> FileResponse:
    """A file made earlier and kept (e.g. an approved list's lampiran), sent as the attachment
    `filename` with the content type of its suffix."""
    suffix = Path(filename).suffix
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES.get(suffix),
    )
