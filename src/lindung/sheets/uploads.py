"""Files that come in: an upload streamed to disk with the reader's size cap, and a file's
SHA-256 (how imports, answers and recaps recognise a file sent twice)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import IO

from lindung.sheets.errors import too_large
from lindung.sheets.limits import DEFAULT_LIMITS, Limits

BLOCK = 1 << 20  # 1 MiB read at a time


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of the file at `path`, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def save_upload(
    upload: IO[bytes], folder: Path, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[Path, str]:
    """Stream `upload` to a new `folder/incoming-<hex>` file; return its path and hex SHA-256.
    The caller moves or removes the file. Raises ReadError (FILE_TOO_LARGE) past
    `limits.max_file_bytes`; then, or on any other failure, nothing is left on disk."""
    folder.mkdir(parents=True, exist_ok=True)
    incoming = folder / f"incoming-{uuid.uuid4().hex}"
    digest, size = hashlib.sha256(), 0
    try:
        with incoming.open("wb") as stream:
            for block in iter(lambda: upload.read(BLOCK), b""):
                size += len(block)
                if size > limits.max_file_bytes:
                    raise too_large(size, limits)
                digest.update(block)
                stream.write(block)
    except BaseException:
        incoming.unlink(missing_ok=True)
        raise
    return incoming, digest.hexdigest()
