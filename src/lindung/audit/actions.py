"""Every action the audit trail records, with a label for people and whether it moves the
dashboard's numbers.

`audit.services.record` takes only an `Action`; the stored value is the member's text
(`"worker_updated"`), so the values are a public interface: never rename one, add a new one. A new
action that changes what the dashboard counts (workers, their places and statuses, the rules,
the policy, the approved lists, the wilayah) goes into `MOVES_NUMBERS`: an event of it marks the
dashboard's cells stale (`dashboard.signals`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    # accounts
    USER_CREATED = "user_created", _("User created")
    USER_UPDATED = "user_updated", _("User updated")
    USER_ACTIVATED = "user_activated", _("User activated")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGIN_LOCKED_OUT = "login_locked_out", _("Login refused: locked out")
    LOGOUT = "logout", _("Logged out")
    LANGUAGE_CHANGED = "language_changed", _("Language changed")
    # audit
    AUDIT_EXPORTED = "audit_exported", _("Audit log exported")
    # regions
    REGIONS_LOADED = "regions_loaded", _("Wilayah loaded")
    BOUNDARIES_LOADED = "boundaries_loaded", _("Boundaries loaded")
    POPULATION_LOADED = "population_loaded", _("Population loaded")
    DEPLOYMENT_CONFIGURED = "deployment_configured", _("Deployment configured")
    DECREE_SETTINGS_CHANGED = "decree_settings_changed", _("Decree settings changed")
    # registry: imports
    IMPORT_UPLOADED = "import_uploaded", _("Import uploaded")
    WORKERS_IMPORTED = "workers_imported", _("Workers imported")
    WORKER_IMPORTED_UPDATE = "worker_imported_update", _("Worker updated by an import")
    IMPORT_DISCARDED = "import_discarded", _("Import discarded")
    IMPORT_FAILED = "import_failed", _("Import failed")
    IMPORT_RETRIED = "import_retried", _("Import retried")
    IMPORT_REPORT_DOWNLOADED = "import_report_downloaded", _("Import report downloaded")
    IMPORTS_PURGED = "imports_purged", _("Import files removed")
    # registry: workers
    WORKER_UPDATED = "worker_updated", _("Worker updated")
    WORKER_STATUS_CHANGED = "worker_status_changed", _("Worker status changed")
    WORKERS_MERGED = "workers_merged", _("Workers merged")
    DUPLICATE_MARKED_DIFFERENT = "duplicate_marked_different", _("Duplicate marked different")
    WORKERS_EXPORTED = "workers_exported", _("Workers exported")
    MOVE_REQUESTED = "move_requested", _("Move requested")
    MOVE_ACCEPTED = "move_accepted", _("Move accepted")
    MOVE_REFUSED = "move_refused", _("Move refused")
    # rules
    RULES_VERSION_ADDED = "rules_version_added", _("Rules version added")
    POLICY_VERSION_SAVED = "policy_version_saved", _("Policy version saved")
    WORKER_NOMINATED = "worker_nominated", _("Worker nominated")
    # targeting
    SCENARIO_RUN = "scenario_run", _("Scenario run")
    LIST_APPROVED = "list_approved", _("List approved")
    LIST_EXPORTED = "list_exported", _("List exported")
    LIST_DECREE_SET = "list_decree_set", _("Decree number and date of a list set")
    # enrollment
    WADAH_SAVED = "wadah_saved", _("Wadah saved")
    PARTICIPATIONS_SYNCED = "participations_synced", _("Participations follow the list")
    PARTICIPATION_ENDED = "participation_ended", _("Participation ended")
    PARTICIPATION_RESUBMITTED = "participation_resubmitted", _("Participation proposed again")
    BATCH_CREATED = "batch_created", _("Registration batch made")
    BATCH_CANCELLED = "batch_cancelled", _("Registration batch cancelled")
    BATCH_DOWNLOADED = "batch_downloaded", _("Registration batch downloaded")
    ANSWER_COMMITTED = "answer_committed", _("Branch answer saved")
    ANSWER_DISCARDED = "answer_discarded", _("Branch answer discarded")
    PARTICIPATION_ANSWERED = "participation_answered", _("Branch answer for a participant")
    SELF_PAYMENT_RECORDED = "self_payment_recorded", _("Self-paying participant recorded")
    SELF_PAYMENTS_IMPORTED = "self_payments_imported", _("Self-paying participants imported")
    # billing and coverage
    BILLS_MADE = "bills_made", _("Bills made")
    BILL_ISSUED = "bill_issued", _("Bill issued by BPJS")
    BILL_SP2D = "bill_sp2d", _("Treasury order (SP2D) of a bill recorded")
    BILL_PAID = "bill_paid", _("Payment of a bill recorded")
    BILL_CANCELLED = "bill_cancelled", _("Bill cancelled")
    BILL_LINES_DROPPED = "bill_lines_dropped", _("Ended participants taken off unpaid bills")
    BILL_DELAY_SET = "bill_delay_set", _("Late release of a bill's funds marked")
    BILLS_PAST_DUE = "bills_past_due", _("Bills past due")
    BILL_RECONCILED = "bill_reconciled", _("Bill reconciled with BPJS")
    # claims
    EVENT_REPORTED = "event_reported", _("Death or accident reported")
    CLAIM_OPENED = "claim_opened", _("Claim opened")
    CLAIM_UPDATED = "claim_updated", _("Claim file updated")
    CLAIM_COMPLETE = "claim_complete", _("Claim file complete")
    CLAIM_SUBMITTED = "claim_submitted", _("Claim submitted to BPJS")
    CLAIM_PAID = "claim_paid", _("Claim paid by BPJS")
    CLAIM_REJECTED = "claim_rejected", _("Claim rejected by BPJS")
    CLAIM_REPORT_COMMITTED = "claim_report_committed", _("BPJS claim report saved")
    CLAIM_REPORT_DISCARDED = "claim_report_discarded", _("BPJS claim report discarded")
    CLAIMS_EXPORTED = "claims_exported", _("Claims exported")
    REFUND_CLAIMED = "refund_claimed", _("Refund claimed from BPJS")
    REFUND_RECEIVED = "refund_received", _("Refund received")
    PARTICIPATIONS_LAPSED = (
        "participations_lapsed",
        _("Participations lapsed: contributions unpaid"),
    )
    RECONCILIATION_COMMITTED = "reconciliation_committed", _("Reconciliation with BPJS saved")
    RECONCILIATION_DISCARDED = "reconciliation_discarded", _("Reconciliation with BPJS discarded")


# The actions after which the dashboard's cells no longer match the data. An import's per-worker
# `WORKER_IMPORTED_UPDATE` events are written in bulk (no signal): its batch's WORKERS_IMPORTED
# event covers them. An accepted move is also audited as WORKER_UPDATED.
MOVES_NUMBERS: frozenset[Action] = frozenset(
    {
        Action.WORKERS_IMPORTED,
        Action.WORKER_UPDATED,
        Action.WORKER_STATUS_CHANGED,
        Action.WORKERS_MERGED,
        Action.LIST_APPROVED,
        Action.POLICY_VERSION_SAVED,
        Action.RULES_VERSION_ADDED,
        Action.POPULATION_LOADED,
        Action.REGIONS_LOADED,
        Action.DEPLOYMENT_CONFIGURED,
        Action.PARTICIPATIONS_SYNCED,
        Action.PARTICIPATION_ENDED,
        Action.PARTICIPATION_RESUBMITTED,
        Action.BATCH_CREATED,
        Action.BATCH_CANCELLED,
        Action.ANSWER_COMMITTED,
        Action.SELF_PAYMENT_RECORDED,
        Action.SELF_PAYMENTS_IMPORTED,
        Action.BILLS_MADE,
        Action.BILL_PAID,
        Action.BILL_CANCELLED,
        Action.BILL_DELAY_SET,
        Action.REFUND_CLAIMED,
        Action.PARTICIPATIONS_LAPSED,
    }
)


def moves_numbers(action: str) -> bool:
    """Whether an event of `action` (stored text or member) changes the dashboard's numbers."""
    return action in MOVES_NUMBERS


def action_label(action: str) -> str:
    """The action's label for people; the stored text itself for a value no longer listed."""
    return str(Action(action).label) if action in Action.values else action
