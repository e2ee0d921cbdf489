"""Payment receipts (bukti bayar): a PDF, JPG or PNG of at most 5 MB, kept under
VAR_DIR/billing/receipts/<bill>/ under a name of ours; `Payment.receipt` holds the path
relative to VAR_DIR, `Payment.receipt_name` the name it was uploaded as (made safe).

    problem = check(upload)                  None, or what is wrong (in the user's words)
    relative, name = store(bill, upload)     before `services.pay`; `remove(relative)` if it fails
    path = path_of(payment)                  the kept file, or None
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from lindung.billing.models import Bill, Payment

MAX_BYTES = 5 * 1024 * 1024
# suffix → how such a file starts
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def receipts_dir() -> Path:
    return Path(settings.VAR_DIR) / "billing" / "receipts"


def check(upload: UploadedFile) -> str | None:
    """What is wrong with an uploaded receipt, or None."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SIGNATURES:
        return _("Upload the receipt as a PDF, JPG or PNG file.")
    if (upload.size or 0) > MAX_BYTES:
        return _("The receipt is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in SIGNATURES[suffix]):
        return _("The receipt is not a readable %(kind)s file.") % {"kind": suffix[1:].upper()}
    return None


def safe_name(name: str) -> str:
    suffix = Path(name).suffix.lower()
    try:
        return get_valid_filename(Path(name).name)[:255]
    except SuspiciousFileOperation:
        return "bukti" + suffix


def store(bill: Bill, upload: UploadedFile) -> tuple[str, str]:
    """Write a checked upload under the bill's folder: (path relative to VAR_DIR, safe name)."""
    suffix = Path(upload.name or "").suffix.lower()
    folder = receipts_dir() / str(bill.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as stream:
        for chunk in upload.chunks():
            stream.write(chunk)
    return str(path.relative_to(Path(settings.VAR_DIR))), safe_name(upload.name or "")


def remove(relative: str) -> None:
    path = _inside(relative)
    if path is not None:
        path.unlink(missing_ok=True)


def path_of(payment: Payment) -> Path | None:
    path = _inside(payment.receipt) if payment.receipt else None
    return path if path is not None and path.is_file() else None


def _inside(relative: str) -> Path | None:
    """The path under the receipts folder, or None for anything that points elsewhere."""
    base = receipts_dir().resolve()
    path = (Path(settings.VAR_DIR) / relative).resolve()
    return path if path.is_relative_to(base) else None
