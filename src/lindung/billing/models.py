"""Bills (tagihan) per wadah, source and period, their lines per participant and month, the
payments against them, refunds, and the coverage ledger: the paid periods of each
participation (see `ledger`)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class BillState(models.TextChoices):
    RENCANA = "RENCANA", _("Planned")
    DITAGIH = "DITAGIH", _("Billed")
    SP2D = "SP2D", _("Treasury order issued")
    SEBAGIAN = "SEBAGIAN", _("Partly paid")
    DIBAYAR = "DIBAYAR", _("Paid")
    DIREKONSILIASI = "DIREKONSILIASI", _("Reconciled")
    SELISIH = "SELISIH", _("Amount differs")
    KADALUARSA = "KADALUARSA", _("Unpaid past due")
    PENGEMBALIAN = "PENGEMBALIAN", _("Refund due")
    BATAL = "BATAL", _("Cancelled")


class Bill(models.Model):
    """What one wadah's funding source owes BPJS TK for a period of whole months: one line per
    participant and month (`BillLine`). `number` is ours (the command line and the pages name
    a bill by it); the branch's own bill number and assessment code come with `DITAGIH`."""

    number = models.CharField(_("bill"), max_length=30, unique=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    source = models.CharField(_("funding source"), max_length=30)
    wadah = models.ForeignKey(
        "enrollment.Wadah", on_delete=models.PROTECT, related_name="bills", verbose_name="wadah"
    )
    period_start = models.DateField(_("from"))  # the first day of the first month
    months = models.PositiveSmallIntegerField(_("months"))
    state = models.CharField(
        _("state"), max_length=14, choices=BillState.choices, default=BillState.RENCANA
    )
    participants = models.PositiveIntegerField(_("participants"), default=0)
    amount = models.BigIntegerField(_("amount"), default=0)  # the sum of the lines
    paid = models.BigIntegerField(_("paid"), default=0)  # the sum of the payments
    refunded = models.BigIntegerField(_("refunded"), default=0)  # the sum of the refunds
    due_date = models.DateField(_("due date"))
    bpjs_number = models.CharField(_("BPJS bill number"), max_length=40, blank=True)
    assessment_code = models.CharField(_("assessment code"), max_length=40, blank=True)
    billed_on = models.DateField(_("billed on"), null=True, blank=True)
    sp2d_number = models.CharField(_("SP2D number"), max_length=60, blank=True)
    sp2d_date = models.DateField(_("SP2D date"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)  # the last payment's date
    # A late release of the sponsor's funds (APBD): the bill is not marked past due and its
    # workers stay in grace, with this reason shown, however long it takes.
    funds_delayed = models.BooleanField(_("funds delayed"), default=False)
    delay_reason = models.CharField(_("why the funds are late"), max_length=300, blank=True)
    reconciled_on = models.DateField(_("reconciled on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-fiscal_year", "period_start", "wadah", "number"]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        constraints = [
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=12), name="bill_months"),
            models.CheckConstraint(
                condition=Q(paid__gte=0, amount__gte=0, refunded__gte=0), name="bill_amounts"
            ),
            models.CheckConstraint(
                condition=Q(paid__lte=F("amount")), name="bill_paid_at_most_billed"
            ),
            models.CheckConstraint(
                condition=~Q(state="DITAGIH") | Q(billed_on__isnull=False),
                name="bill_billed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state="SP2D") | (~Q(sp2d_number="") & Q(sp2d_date__isnull=False)),
                name="bill_sp2d_has_number",
            ),
        ]
        indexes = [
            # the bills page and realisation: a year's bills per source and state
            models.Index(fields=["fiscal_year", "source", "state"], name="bill_year_source"),
            # alerts: open bills by due date
            models.Index(fields=["state", "due_date"], name="bill_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> int:
        return self.amount - self.paid


class BillLine(models.Model):
    """One participant's contribution for one month of a bill, priced by
    `rules.calculators.contribution` for that month and funding source. A worker's month is
    billed once: a second bill skips it (the unique index makes a double payment impossible),
    until a refund gives it back."""

    # No single-column indexes on the keys: the composite ones below serve every query (a bill
    # of 100.000 participants x 6 months writes 600.000 lines; each index costs).
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines", db_index=False)
    participation = models.ForeignKey(
        "enrollment.Participation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    worker_id = models.BigIntegerField()  # copied: one worker's month is paid once
    month = models.DateField(_("month"))  # the first day of the month
    # JKK + JKM (+ JHT) less the reduction, as `services.Prices.of(source, month)` gives it
    # with its parts; the parts are the same for every line of a source and month, so a line
    # keeps the total only (600.000 lines for a half-year bill of 100.000 participants).
    amount = models.IntegerField(_("amount"))
    refunded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("bill line")
        verbose_name_plural = _("bill lines")
        constraints = [
            models.UniqueConstraint(
                fields=["worker_id", "month"],
                condition=Q(refunded=False),
                name="bill_line_one_per_worker_month",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="bill_line_amount"),
        ]
        indexes = [
            # a bill's lines in month order (payments cover months in order)
            models.Index(fields=["bill", "month"], name="bill_line_bill_month"),
            # a participation's billed months (grace, refunds, the worker page)
            models.Index(fields=["participation", "month"], name="bill_line_participation"),
        ]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.participation_id} {self.month:%Y-%m}"


class Payment(models.Model):
    """Money paid against a bill (an SP2D disbursed, a transfer): several may pay one bill."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    amount = models.BigIntegerField(_("amount"))
    paid_on = models.DateField(_("paid on"))
    sp2d_number = models.CharField(_("SP2D number"), max_length=60, blank=True)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    receipt = models.CharField(_("receipt file"), max_length=300, blank=True)  # under LINDUNG_VAR
    receipt_name = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.amount} {self.paid_on}"


class RefundState(models.TextChoices):
    DIAJUKAN = "DIAJUKAN", _("Claimed from BPJS")
    DITERIMA = "DITERIMA", _("Received")


class Refund(models.Model):
    """Months paid for a participant after their participation ended (death, removal): claimed
    back from BPJS TK. Its lines are marked refunded and leave the coverage ledger."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="refunds")
    participation = models.ForeignKey(
        "enrollment.Participation", on_delete=models.PROTECT, related_name="+"
    )
    first_month = models.DateField(_("from"))
    months = models.PositiveSmallIntegerField(_("months"))
    amount = models.BigIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(
        _("state"), max_length=10, choices=RefundState.choices, default=RefundState.DIAJUKAN
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive"),
            models.UniqueConstraint(
                fields=["bill", "participation"], name="refund_one_per_bill_participation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.participation_id} {self.amount}"


class PaidPeriod(models.Model):
    """The coverage ledger: a participation is protected from `start` to `end` (both
    included) because `bill` paid those months; one row per participation and payment run, not
    per month. Written only by `ledger` from the paid lines, so periods never overlap and
    every paid month is in exactly one of them."""

    participation = models.ForeignKey(
        "enrollment.Participation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    worker_id = models.BigIntegerField()
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="periods")
    source = models.CharField(max_length=30)
    paid_from = models.DateField(_("from"))
    paid_to = models.DateField(_("until"))
    # copied from the participation for scoped counts without a join
    kecamatan_id = models.CharField(max_length=8)
    desa_id = models.CharField(max_length=13)

    class Meta:
        verbose_name = _("paid period")
        verbose_name_plural = _("paid periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_from__lte=F("paid_to")), name="paid_period_order"
            ),
            # also the index of a participation's periods in order (the public check, grace);
            # counts on a date read `CoverageGroup`, not this table
            models.UniqueConstraint(
                fields=["participation", "paid_from"], name="paid_period_one_start"
            ),
        ]
        indexes = [
            # a worker's paid months over all years (claims: contribution years)
            models.Index(fields=["worker_id", "paid_from"], name="paid_period_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.participation_id} {self.paid_from}..{self.paid_to}"


class CoverageGroup(models.Model):
    """The coverage ledger summed for counting (see `ledger.rebuild_groups`): registered
    participations of a fiscal year that share everything their standing on any date depends
    on (area, source, wadah, effective date, end, first and last paid day, the late-funds bill
    of their first unpaid month), with how many they are. Counting a date reads these rows,
    not a million participations. A participation whose paid periods have a gap gets a row of
    its own (`participation_id`), counted from its periods."""

    fiscal_year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=30)
    wadah_id = models.BigIntegerField(null=True)
    kecamatan_id = models.CharField(max_length=8)
    desa_id = models.CharField(max_length=13)
    effective_from = models.DateField()
    ended_on = models.DateField(null=True)
    end_reason = models.CharField(max_length=20, blank=True)
    paid_from = models.DateField(null=True)  # the first paid day; null: nothing paid
    paid_until = models.DateField(null=True)  # the last paid day
    delayed_bill_id = models.BigIntegerField(null=True)
    participation_id = models.BigIntegerField(null=True)  # only for a participation with a gap
    participants = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["fiscal_year", "desa_id"], name="coverage_group_year")]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.desa_id} {self.source} {self.participants}"


class CoverageState(models.Model):
    """When the coverage groups were rebuilt and whether a change has made them stale."""

    rebuilt_at = models.DateTimeField(null=True)
    stale_since = models.DateTimeField(null=True)
    seconds = models.FloatField(default=0)
    participations = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"coverage groups {self.rebuilt_at}"


class ReconciliationStatus(models.TextChoices):
    CHECKING = "checking", _("being checked")
    CHECKED = "checked", _("checked, waiting for a decision")
    COMMITTED = "committed", _("saved")
    DISCARDED = "discarded", _("discarded")
    FAILED = "failed", _("failed")


class Reconciliation(models.Model):
    """A BPJS TK branch's recap (membership and contributions) compared with the approved
    list, the coverage ledger and the paid bills: checked, previewed, then committed (the bills
    it confirms become DIREKONSILIASI, those whose amounts differ SELISIH) or discarded. The
    file, its rows as read and the checked rows (Parquet) are kept under
    LINDUNG_VAR/reconcile/<id>/ (`billing.reconcile.service`)."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    on = models.DateField(_("compared on"))  # the ledger's date of the last check
    file_name = models.CharField(_("file name"), max_length=255)
    folder = models.CharField(max_length=200)  # relative to LINDUNG_VAR
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        max_length=10,
        choices=ReconciliationStatus.choices,
        default=ReconciliationStatus.CHECKING,
    )
    # the file's data rows; the five counts add up to the entries compared (see check)
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    not_on_list = models.PositiveIntegerField(_("not on the list"), default=0)
    not_active = models.PositiveIntegerField(_("not active at BPJS"), default=0)
    amount_mismatch = models.PositiveIntegerField(_("amount differs"), default=0)
    status_mismatch = models.PositiveIntegerField(_("status differs"), default=0)
    code_counts = models.JSONField(_("entries per code"), default=dict, blank=True)
    # The bills the commit moves (or moved): [{bill, number, before, after}]
    bills = models.JSONField(_("bills"), default=list, blank=True)
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
        verbose_name = _("reconciliation with BPJS")
        verbose_name_plural = _("reconciliations with BPJS")
        indexes = [
            # the same file committed before (idempotence)
            models.Index(fields=["sha256", "status"], name="reconciliation_file"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.file_name}"
