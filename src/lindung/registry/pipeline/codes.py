"""Row outcome codes of an import and the message that tells an operator what to fix.

The codes are a public interface (`lindung import --json`, the error report, the API): never
rename one. Errors reject the row; warnings keep it.
"""

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class RowError(StrEnum):
    NIK_MISSING = "NIK_MISSING"
    NIK_INVALID = "NIK_INVALID"
    NIK_EXCEL_PRECISION = "NIK_EXCEL_PRECISION"
    NAME_MISSING = "NAME_MISSING"
    DOB_INVALID = "DOB_INVALID"
    AGE_IMPLAUSIBLE = "AGE_IMPLAUSIBLE"
    WILAYAH_UNKNOWN = "WILAYAH_UNKNOWN"
    WILAYAH_OUTSIDE_DEPLOYMENT = "WILAYAH_OUTSIDE_DEPLOYMENT"
    DUPLICATE_IN_FILE = "DUPLICATE_IN_FILE"
    # Only for region-bound operators: the desa lies outside the wilayah they work for.
    WILAYAH_OUTSIDE_SCOPE = "WILAYAH_OUTSIDE_SCOPE"
    # Only for region-bound operators: the NIK belongs to a worker registered outside their
    # wilayah. The row changes nothing; committing it sends a move request (registry.MoveRequest).
    NIK_OUTSIDE_SCOPE = "NIK_OUTSIDE_SCOPE"


class RowWarning(StrEnum):
    NIK_EXCEL_PRECISION = "NIK_EXCEL_PRECISION"  # numeric NIK not ending in 0: kept, but check it
    NIK_OTHER_REGION = "NIK_OTHER_REGION"
    DOB_NIK_MISMATCH = "DOB_NIK_MISMATCH"
    SEX_NIK_MISMATCH = "SEX_NIK_MISMATCH"
    WILAYAH_FUZZY = "WILAYAH_FUZZY"
    INCOME_UNREADABLE = "INCOME_UNREADABLE"
    POSSIBLE_DUPLICATE = "POSSIBLE_DUPLICATE"


class RowStatus(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


# Youngest and oldest plausible age of a worker on the day of the import.
MIN_AGE = 10
MAX_AGE = 100

ERROR_MESSAGES: dict[str, Promise] = {
    RowError.NIK_MISSING: _("The NIK is empty. Fill in the 16-digit NIK from the KTP or KK."),
    RowError.NIK_INVALID: _(
        "The NIK is not valid: it must be 16 digits, with a real birth date in digits 7-12 "
        "and a serial number other than 0000. Copy it again from the KTP or KK."
    ),
    RowError.NIK_EXCEL_PRECISION: _(
        "Excel stored this NIK as a number and lost its last digits (it ends in 0). Format the "
        "NIK column as Text, type the NIK again from the KTP or KK, and upload again."
    ),
    RowError.NAME_MISSING: _("The name is empty. Fill in the full name as on the KTP."),
    RowError.DOB_INVALID: _(
        "The birth date cannot be read. Write it as dd-mm-yyyy (for example 28-05-1980) or "
        "leave it empty to take it from the NIK."
    ),
    RowError.AGE_IMPLAUSIBLE: _(
        "The age from the birth date is under 10 or over 100 years. Check the birth date."
    ),
    RowError.WILAYAH_UNKNOWN: _(
        "The desa/kelurahan (or kecamatan) is not found or is ambiguous. Write its name as in "
        "the official list, and fill in the Kecamatan column when several desa share the name."
    ),
    RowError.WILAYAH_OUTSIDE_DEPLOYMENT: _(
        "The desa/kelurahan lies outside this regency. Only residents of this regency can be "
        "registered here."
    ),
    RowError.WILAYAH_OUTSIDE_SCOPE: _(
        "The desa/kelurahan lies outside the wilayah of your account. Ask the operator of that "
        "wilayah or the regency office to import this row."
    ),
    RowError.NIK_OUTSIDE_SCOPE: _(
        "This NIK cannot be imported from your wilayah, so this row changes nothing. When the "
        "import is committed, a request to move this worker to the desa on this row is sent to "
        "the regency office and the wilayah concerned for review; follow it on the Move "
        "requests page."
    ),
    RowError.DUPLICATE_IN_FILE: _(
        "This NIK already appears on an earlier row of this file. Remove the duplicate row or "
        "correct the NIK."
    ),
}

WARNING_MESSAGES: dict[str, Promise] = {
    RowWarning.NIK_EXCEL_PRECISION: _(
        "Excel stored this NIK as a number. It was accepted, but format the NIK column as Text "
        "so that no digits are lost."
    ),
    RowWarning.NIK_OTHER_REGION: _(
        "The NIK was issued outside this regency while the address lies inside it. Check that "
        "the NIK and the address are right."
    ),
    RowWarning.DOB_NIK_MISMATCH: _(
        "The birth date differs from the one in the NIK. Check the birth date and the NIK."
    ),
    RowWarning.SEX_NIK_MISMATCH: _(
        "The sex differs from the one in the NIK (women have 40 added to the day of birth). "
        "Check the sex and the NIK."
    ),
    RowWarning.WILAYAH_FUZZY: _(
        "The desa/kecamatan name is misspelt; the closest official name was used. Check it."
    ),
    RowWarning.INCOME_UNREADABLE: _(
        "The income cannot be read and was left empty. Write it as a number of rupiah, for "
        "example 1500000."
    ),
    RowWarning.POSSIBLE_DUPLICATE: _(
        "This may be a worker already registered under another NIK (similar name, same birth "
        "date, same kecamatan). Review it on the possible duplicates page."
    ),
}


def message_for(code: str, *, warning: bool = False) -> str:
    """The operator's message for an error (or, with warning=True, a warning) code."""
    messages = WARNING_MESSAGES if warning else ERROR_MESSAGES
    text = messages.get(code)
    return str(text) if text is not None else code
