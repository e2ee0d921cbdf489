"""Adding a version of the national rules or the regency policy, and nominating workers.
Pages and commands call these; they never see `request`."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.audit.actions import Action
from lindung.audit.actors import actor_user
from lindung.audit.services import diff, record
from lindung.regions.scope import codes_for, contains
from lindung.registry.models import Worker
from lindung.registry.queries import get_worker_for
from lindung.roles import Capability
from lindung.rules import policy
from lindung.rules.data_files import json_ready
from lindung.rules.models import Nomination, PolicyVersion, RuleVersion
from lindung.rules.national import RulesError, history, parse_version


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
        created_by=actor_user(by),
    )
    record(
        by=by,
        action=Action.RULES_VERSION_ADDED,
        obj=version,
        after={
            "version": rules.version,
            "effective_from": effective_from.isoformat(),
            "note": note,
        },
    )
    return version


@transaction.atomic
def save_policy_version(
    *,
    by: User | None,
    data: Mapping[str, Any],
    name: str,
    note: str = "",
    kabupaten: str | None = None,
) -> PolicyVersion:
    """Validate `data` as the policy of `kabupaten` (left out: the installation's only one) and
    save it as that kabupaten/kota's next version (its active one), or RulesError with nothing
    saved. The audit event holds what changed since its last version. Only a user whose scope
    holds the kabupaten/kota may save its policy."""
    codes = policy.deployment(kabupaten)
    if isinstance(by, User) and not (
        by.can(Capability.CONFIGURE) and contains(codes_for(by), codes[0])
    ):
        raise RulesError(_("You may change only the policy of your own regency/city."))
    checked = policy.Policy.from_data(data, deployment=codes, known_areas=policy.known_areas(codes))
    checked.check_quotas(policy.cost_per_worker(checked, timezone.localdate().year))
    if not name.strip():
        raise RulesError(_("Give the policy version a name."))
    # Lock the latest row so two admins saving at once cannot take the same number.
    latest = PolicyVersion.objects.select_for_update().order_by("-number").first()
    previous = (
        PolicyVersion.objects.filter(kabupaten=codes[0]).order_by("-number").first()
        if latest is not None
        else None
    )
    version = PolicyVersion.objects.create(
        number=(latest.number + 1) if latest else 1,
        kabupaten=codes[0],
        name=name.strip(),
        data=checked.to_data(),
        note=note.strip(),
        created_by=actor_user(by),
    )
    before, after = diff(
        policy.flatten(previous.data) if previous else {}, policy.flatten(version.data)
    )
    record(
        by=by,
        action=Action.POLICY_VERSION_SAVED,
        obj=version,
        before={"number": previous.number, **before} if previous else {},
        after={
            "number": version.number,
            "kabupaten": version.kabupaten,
            "name": version.name,
            "note": version.note,
            **after,
        },
    )
    return version


@transaction.atomic
def nominate(*, by: User, worker: Worker, fiscal_year: int, reason: str) -> Nomination:
    """Nominate a worker in `by`'s scope for sponsorship in `fiscal_year` (once per year)."""
    worker = get_worker_for(by, worker.pk)  # Http404 outside the operator's wilayah
    if not reason.strip():
        raise RulesError(_("Say why the worker is nominated."))
    if Nomination.objects.filter(worker=worker, fiscal_year=fiscal_year).exists():
        raise RulesError(
            _("This worker is already nominated for %(year)s.") % {"year": fiscal_year}
        )
    nomination = Nomination.objects.create(
        worker=worker, fiscal_year=fiscal_year, by=by, reason=reason.strip()
    )
    record(
        by=by,
        action=Action.WORKER_NOMINATED,
        obj=nomination,
        after={"worker": worker.pk, "fiscal_year": fiscal_year, "reason": nomination.reason},
    )
    return nomination
