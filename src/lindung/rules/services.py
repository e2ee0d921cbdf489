"""Adding a version of the national rules. Pages and commands call this; it never sees `request`."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.audit.services import record
from lindung.rules.models import RuleVersion
from lindung.rules.national import RulesError, history, json_ready, parse_version


@transaction.atomic
def add_rule_version(
    *,
    by: User | None,
    effective_from: datetime.date,
    data: Mapping[str, Any],
    note: str = "",
) -> RuleVersion:
    """Validate `data` like the rules file and save it as a new version, or RulesError."""
    raw = json_ready({**data, "effective_from": effective_from})
    rules = parse_version(raw)
    for existing in history():
        if existing.rules.effective_from == effective_from:
            raise RulesError(
                _(
                    "Version %(existing)s already takes effect on %(day)s "
                    "(overlapping effective date). Choose another date."
                )
                % {"existing": existing.rules.version, "day": effective_from.isoformat()}
            )
        if existing.rules.version == rules.version:
            raise RulesError(
                _("A version named %(name)s already exists.") % {"name": rules.version}
            )
    version = RuleVersion.objects.create(
        version=rules.version,
        effective_from=effective_from,
        data=raw,
        note=note.strip(),
        created_by=by,
    )
    record(
        by=by,
        action="rules_version_added",
        obj=version,
        after={
            "version": rules.version,
            "effective_from": effective_from.isoformat(),
            "note": note,
        },
    )
    return version
