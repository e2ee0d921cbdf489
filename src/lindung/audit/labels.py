"""What the audit page and its export show for an event's stored names: the model of
`object_type` (`targeting.beneficiarylist` → "daftar penerima") and the keys of `before`/`after`
(`rows_skipped` → "baris dilewati"), in the current language.

A key is the verbose name of the model's field when the field has one; otherwise its label in
`KEY_LABELS` (keys that are no field: counts, filters, ids of other objects); otherwise the key
itself. A value of a field with choices shows the choice's label; true/false show yes/no.
"""

from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Keys written by services that are not a field of the event's model, or whose field has no
# verbose name. A new key in an audit record gets its label here.
KEY_LABELS: dict[str, Promise | str] = {
    # imports (registry.importbatch) and their per-worker updates
    "rows_total": _("rows in the file"),
    "rows_skipped": _("rows skipped"),
    "new": _("new"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "rejected": _("rejected"),
    "warnings": _("rows with warnings"),
    "codes": _("rows per code"),
    "file_name": _("file name"),
    "file_sha256": _("file fingerprint (SHA-256)"),
    "source": _("source"),
    "interrupted": _("interrupted"),
    "removed_folders": _("folders removed"),
    "orphans": _("orphaned files"),
    "bytes": _("bytes"),
    "discarded": _("discarded"),
    "dry_run": _("trial run only"),
    "retention_days": _("retention (days)"),
    # workers, duplicates, moves
    "status": _("status"),
    "merged_from": _("merged from worker"),
    "merged_into": _("merged into worker"),
    "different_from": _("different from worker"),
    "duplicate": _("possible duplicate"),
    "worker": _("worker"),
    "target_desa": _("destination desa"),
    "fields": _("fields"),
    "state": _("state"),
    # exports
    "filters": _("filters"),
    "rows": _("rows"),
    "format": _("format"),
    "nik": "NIK",
    # accounts
    "failed_logins_cleared": _("failed logins cleared"),
    "delay_seconds": _("wait before the next attempt (seconds)"),
    "must_change_password": _("must change password"),
    "is_active": _("active"),
    "language": _("language"),
    # wilayah loads, deployment
    "created": _("created"),
    "unmatched": _("not matched"),
    "years": _("years"),
    "areas": _("areas"),
    "name": _("name"),
    # rules, policy, nominations
    "version": _("version"),
    "effective_from": _("effective from"),
    "note": _("note"),
    "number": _("number"),
    "fiscal_year": _("fiscal year"),
    "reason": _("reason"),
    # targeting
    "policy_version": _("policy version"),
    "budgets": _("budgets"),
    "supplement_to": _("supplement to list"),
    "selected": _("selected"),
    "cost": _("cost"),
    "scenario": _("scenario"),
    "previous": _("previous list"),
    "added": _("added"),
    "removed": _("removed"),
    "moved": _("moved to another source"),
    # enrollment
    "list": _("beneficiary list"),
    "renewals": _("renewals"),
    "ended": _("ended"),
    "wadah": _("wadah"),
    "kind": _("kind"),
    "start": _("start"),
    "months": _("months"),
    "workers": _("workers"),
    "held_back": _("held back"),
    "withdrawn": _("withdrawn"),
    "batch": _("registration batch"),
    "file": _("file"),
    "changed": _("changed"),
    "registered": _("registered"),
    "already_active": _("already active"),
    "problems": _("rows with a problem"),
    "kpj": "KPJ",
    "recorded": _("recorded"),
}


@cache
def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(object_type: str, key: str) -> models.Field[Any, Any] | None:
    model = _model(object_type) if object_type else None
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def named_models() -> list[type[models.Model]]:
    """The project's models that have a name for people (an explicit verbose name)."""
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("lindung.") and "verbose_name" in model._meta.original_attrs
    ]


def model_label(object_type: str) -> str:
    """The verbose name of the model `object_type` names (`app.model`), else the text itself."""
    model = _model(object_type) if object_type else None
    return str(model._meta.verbose_name) if model is not None else object_type


def key_label(object_type: str, key: str) -> str:
    """The label of a `before`/`after` key of an event on an `object_type`."""
    field = _field(object_type, key)
    # A field declared without a verbose name gets its name with spaces: not a label for people.
    if field is not None and getattr(field, "_verbose_name", None) is not None:
        return str(field.verbose_name)
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    return str(field.verbose_name) if field is not None else key


def value_label(object_type: str, key: str, value: Any) -> Any:
    """A stored value as people read it: a choice's label, yes/no; other values unchanged."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    field = _field(object_type, key)
    if field is not None and field.choices and isinstance(value, str | int):
        return str(dict(field.flatchoices).get(value, value))
    return value
