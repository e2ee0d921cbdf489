"""save_upload and sha256_of: an upload kept with a size cap, and a file's fingerprint. No
database."""

import hashlib
import io
from pathlib import Path

import pytest

from lindung.sheets import Limits, ReadError, save_upload, sha256_of

# More than one 1 MiB block, so the digest spans blocks.
CONTENT = b"NIK;Nama\n" + b"5203014101900002;Ani\n" * 60_000


def test_it_keeps_the_upload_with_the_digest_hashlib_gives(tmp_path: Path) -> None:
    kept, digest = save_upload(io.BytesIO(CONTENT), tmp_path / "incoming")

    assert kept.parent == tmp_path / "incoming" and kept.name.startswith("incoming-")
    assert kept.read_bytes() == CONTENT
    assert digest == hashlib.sha256(CONTENT).hexdigest() == sha256_of(kept)


def test_it_refuses_a_file_over_the_size_limit_and_keeps_nothing(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as caught:
        save_upload(io.BytesIO(CONTENT), tmp_path, limits=Limits(max_file_bytes=1 << 20))

    assert caught.value.code == "FILE_TOO_LARGE"
    assert list(tmp_path.iterdir()) == []


def test_it_takes_a_file_of_exactly_the_limit(tmp_path: Path) -> None:
    kept, _digest = save_upload(io.BytesIO(b"x" * 10), tmp_path, limits=Limits(max_file_bytes=10))

    assert kept.stat().st_size == 10
