"""Sending a file a writer makes on disk (xlsxwriter, reportlab): one temporary file per request.

return send_file("lampiran.pdf", lambda path: write_pdf(path))
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.http import FileResponse


def send_file(filename: str, write: Callable[[Path], object]) -> FileResponse:
    """`write(path)` into a temporary file, sent as the attachment `filename`. The file is
    removed at once (the open handle keeps its data until the response is sent), also when
    `write` fails."""
    handle, name = tempfile.mkstemp(suffix=Path(filename).suffix)
    os.close(handle)
    path = Path(name)
    try:
        write(path)
        stream = path.open("rb")
    finally:
        path.unlink(missing_ok=True)
    return FileResponse(stream, as_attachment=True, filename=filename)
