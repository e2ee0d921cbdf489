"""Events (a worker's death or accident, reported by an operator), the claims to BPJS TK that
follow them, the heirs of a claim, and the branch's claim reports imported to match them.

Claims are death and health data: only roles that see persons read them, within their wilayah
(`queries`); leaders see the impact's aggregates (`impact`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    DEATH = "death", _("Death")
    ACCIDENT = "accident", _("Accident")


class Cause(models.TextChoices):
    AT_WORK = "at_work", _("At work")
    COMMUTING = "commuting", _("On the way to or from work")
    NOT_WORK = "not_work", _("Not work-related")


class Verdict(models.TextChoices):
    """Whether the worker was protected on the event's date (`protection.verdict`)."""

    PROTECTED = "protected", _("Protected")
    IN_GRACE = "in_grace", _("In grace: protected once the arrears are paid")
    NOT_PROTECTED = "not_protected", _("Not protected")


class Event(models.Model):
    """What happened to a worker, as a desa or kecamatan operator reported it, with the verdict
    of the coverage ledger on that date (kept as reported; `protection.verdict` recomputes it)."""

    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.PROTECT, related_name="claim_events"
    )
    participation = models.ForeignKey(
        "enrollment.Participation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claim_events",
    )
    kind = models.CharField(_("what happened"), max_length=10, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    occurred_at = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices)
    description = models.CharField(_("what happened, briefly"), max_length=500, blank=True)
    # where the worker lived (scope and impact), kept as reported
    kecamatan_id = models.CharField(max_length=13)
    desa_id = models.CharField(max_length=13)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    # the verdict on the date: protected / in grace / not protected, why, and who paid
    verdict = models.CharField(_("protected?"), max_length=14, choices=Verdict.choices)
    verdict_reason = models.CharField(_("why"), max_length=300, blank=True)
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    source = models.CharField(_("funding source"), max_length=30, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("reported event")
        verbose_name_plural = _("reported events")
        indexes = [
            models.Index(fields=["fiscal_year", "kind"], name="claims_event_year"),
            models.Index(fields=["desa_id"], name="claims_event_desa"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%Y-%m-%d}"


class ClaimKind(models.TextChoices):
    JKM = "jkm", _("JKM: death not caused by work")
    JKK_DEATH = "jkk-death", _("JKK: death from a work accident")
    JKK_DISABILITY = "jkk-disability", _("JKK: disability")
    STMB = "stmb", _("JKK: temporary incapacity to work (STMB)")
    JKK_MEDICAL = "jkk-medical", _("JKK: medical care")


class ClaimState(models.TextChoices):
    DILAPORKAN = "DILAPORKAN", _("Reported")
    BERKAS_LENGKAP = "BERKAS_LENGKAP", _("File complete")
    DIAJUKAN = "DIAJUKAN", _("Submitted to BPJS")
    DIBAYAR = "DIBAYAR", _("Paid")
    DITOLAK = "DITOLAK", _("Rejected")


class Claim(models.Model):
    """One benefit claimed for an event: its documents, heirs, the amount the rules give
    (`rules.calculators.benefit`, stored with its lines as computed), and its way to BPJS TK's
    payment or refusal. `number` is ours: KL-<year>-<nnnn>."""

    number = models.CharField(_("claim"), max_length=30, unique=True)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="claims")
    worker = models.ForeignKey("registry.Worker", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("benefit"), max_length=16, choices=ClaimKind.choices)
    state = models.CharField(
        _("state"), max_length=14, choices=ClaimState.choices, default=ClaimState.DILAPORKAN
    )
    # copied from the event for scope and the impact's breakdowns
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    source = models.CharField(_("funding source"), max_length=30, blank=True)
    kecamatan_id = models.CharField(max_length=13)
    desa_id = models.CharField(max_length=13)
    # the calculator's inputs and answer (None: not protected, or medical care as billed)
    income = models.BigIntegerField(_("reported income"), null=True, blank=True)
    contribution_years = models.PositiveSmallIntegerField(
        _("contribution years"), null=True, blank=True
    )
    months_off = models.PositiveSmallIntegerField(_("months off work"), null=True, blank=True)
    parts = models.JSONField(_("body parts"), default=list, blank=True)
    expected_amount = models.BigIntegerField(_("amount by the rules"), null=True, blank=True)
    breakdown = models.JSONField(_("amount lines"), default=list, blank=True)
    # why there is no amount (not protected, too few paid months…), or what to watch
    amount_note = models.CharField(_("about the amount"), max_length=300, blank=True)
    rules_version = models.CharField(max_length=40, blank=True)
    # documents: {code: true} for the ones received (`rules.documents_for`)
    documents = models.JSONField(_("documents received"), default=dict, blank=True)
    doctor_statement_on = models.DateField(_("doctor's final statement"), null=True, blank=True)
    kk1_sent_at = models.DateTimeField(_("form KK1 sent"), null=True, blank=True)
    kk2_sent_at = models.DateTimeField(_("form KK2 sent"), null=True, blank=True)
    complete_on = models.DateField(_("file complete on"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    bpjs_due = models.DateField(_("BPJS to pay by"), null=True, blank=True)
    bpjs_number = models.CharField(_("BPJS claim number"), max_length=40, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.BigIntegerField(_("amount paid"), null=True, blank=True)
    rejected_reason = models.CharField(_("why BPJS refused"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        indexes = [
            models.Index(fields=["fiscal_year", "state"], name="claims_claim_year"),
            models.Index(fields=["desa_id"], name="claims_claim_desa"),
            models.Index(fields=["state", "bpjs_due"], name="claims_claim_due"),
        ]

    def __str__(self) -> str:
        return self.number


class Relation(models.TextChoices):
    """The heir's relation to the worker, in the legal order (`rules.heir_order`)."""

    SPOUSE = "spouse", _("Widow or widower")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Brother or sister")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    NAMED = "named", _("Named in a will")


class Heir(models.Model):
    """A person the death benefit goes to; a child at school may get the scholarship (at most
    two per claim, `rules.scholarship_children`)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="heirs")
    relation = models.CharField(_("relation"), max_length=14, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=150)
    nik = models.CharField("NIK", max_length=16, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    school_level = models.CharField(_("school level"), max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "pk"]
        verbose_name = _("heir")
        verbose_name_plural = _("heirs")

    def __str__(self) -> str:
        return self.name


class ReportStatus(models.TextChoices):
    CHECKING = "checking", _("being checked")
    CHECKED = "checked", _("checked, waiting for a decision")
    COMMITTED = "committed", _("saved")
    DISCARDED = "discarded", _("discarded")
    FAILED = "failed", _("failed")


class ClaimReport(models.Model):
    """A BPJS TK branch's report of the claims it paid, checked against the recorded claims,
    previewed, then committed (matched claims become DIBAYAR with the branch's date and amount;
    new ones are recorded) or discarded. The file and its checked rows are kept under
    LINDUNG_VAR/claims/<id>/ (`claims.reports`)."""

    file_name = models.CharField(_("file name"), max_length=255)
    folder = models.CharField(max_length=200)  # relative to LINDUNG_VAR
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.CHECKING
    )
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    unmatched = models.PositiveIntegerField(_("unmatched"), default=0)
    problems = models.PositiveIntegerField(_("problems"), default=0)
    error = models.TextField(blank=True)  # why the whole file was refused
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("BPJS claim report")
        verbose_name_plural = _("BPJS claim reports")
        indexes = [models.Index(fields=["sha256", "status"], name="claims_report_file")]

    def __str__(self) -> str:
        return f"{self.pk}: {self.file_name}"
