"""Targeting runs (scenarios): who each funding source pays for in a fiscal year, and why."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scenario(models.Model):
    """One run of the optimizer over the registry with a policy version and budgets.

    The policy's data is copied in, so a later policy edit never changes what a scenario says.
    Not-selected workers' reasons are kept beside it as Parquet (LINDUNG_VAR/scenarios/<id>/).
    """

    name = models.CharField(_("name"), max_length=200, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    # The kabupaten/kota whose policy, budgets and workers the run used.
    kabupaten = models.CharField(_("regency/city"), max_length=13)
    policy_version = models.ForeignKey(
        "rules.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    policy_data = models.JSONField()
    budgets = models.JSONField()  # {"apbd": 12000000000, …}
    costs = models.JSONField()  # cost of one worker for the year, per source
    selected = models.PositiveIntegerField(default=0)
    cost = models.BigIntegerField(default=0)
    unspent = models.BigIntegerField(default=0)
    objective = models.BigIntegerField(default=0)  # total priority of the covered workers
    by_source = models.JSONField(default=dict)
    by_kecamatan = models.JSONField(default=dict)
    eligible = models.PositiveIntegerField(default=0)
    workers = models.PositiveIntegerField(default=0)
    # A supplement covers more workers on top of an approved list (e.g. with a mid-year budget):
    # that list's workers count as already sponsored, and approving it adds to the list.
    base_list = models.ForeignKey(
        "BeneficiaryList",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplements",
    )
    notes = models.JSONField(default=list)  # what a reader should know, e.g. missing population
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name or f"{self.fiscal_year} #{self.pk}"


class Selection(models.Model):
    """A worker a scenario covers: the paying source and the rank within it."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="selections")
    # Written in bulk with the scenario; workers are never deleted.
    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    source = models.CharField(max_length=30)
    rank = models.PositiveIntegerField()
    priority = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scenario", "worker"], name="selection_unique_worker")
        ]
        indexes = [
            # the lampiran: a scenario's workers per source in rank order
            models.Index(fields=["scenario", "source", "rank"], name="selection_source_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario_id}: {self.worker_id} @ {self.source}"


class BeneficiaryList(models.Model):
    """An approved scenario, frozen: the beneficiary list annexed to the SK Bupati.

    The lists of a fiscal year and kabupaten/kota form one chain: version 1 is the first
    approval, and each
    revision is a new list naming the one it replaces (`previous`), with its differences kept as
    `ListChange` rows. `number` runs over the whole deployment. Nothing here changes after the
    approval: each worker's NIK, name, desa and occupation are copied into `Beneficiary`, so later
    registry edits never alter an approved list.
    """

    number = models.PositiveIntegerField(_("number"), unique=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    # Each kabupaten/kota approves its own lists: versions count within it and the year.
    kabupaten = models.CharField(_("regency/city"), max_length=13)
    version = models.PositiveSmallIntegerField(_("version"))
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revision"
    )
    scenario = models.OneToOneField(Scenario, on_delete=models.PROTECT, related_name="approved")
    # The SK Bupati the list is annexed to: known once signed, entered later by an admin
    # (`lampiran_files.set_decree`); until then the lampiran prints dotted placeholders.
    decree = models.CharField(_("decree number"), max_length=100, blank=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    decree_subject = models.TextField(_("decree subject (TENTANG)"), blank=True)
    # What the deployment's decree settings said when the signed decree was entered (office,
    # signer, place, subject): a later Bupati's name never reaches an earlier decree's lampiran.
    decree_heading = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    selected = models.PositiveIntegerField(default=0)
    cost = models.BigIntegerField(default=0)
    budgets = models.JSONField(default=dict)
    costs = models.JSONField(default=dict)
    by_source = models.JSONField(default=dict)
    by_kecamatan = models.JSONField(default=dict)
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)  # same worker, another funding source
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_by_label = models.CharField(max_length=150)
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        ordering = ["-number"]
        verbose_name = _("beneficiary list")
        verbose_name_plural = _("beneficiary lists")
        constraints = [
            models.UniqueConstraint(
                fields=["kabupaten", "fiscal_year", "version"],
                name="beneficiary_list_kab_year_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.fiscal_year} v{self.version})"


class Beneficiary(models.Model):
    """One worker on an approved list, as the registry described them at approval."""

    beneficiary_list = models.ForeignKey(
        BeneficiaryList, on_delete=models.CASCADE, related_name="entries"
    )
    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    source = models.CharField(max_length=30)
    rank = models.PositiveIntegerField()
    priority = models.BigIntegerField()
    cost = models.BigIntegerField()  # what the source pays for the worker for the fiscal year
    nik = models.CharField("NIK", max_length=16)
    name = models.CharField(_("name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=1)
    birth_date = models.DateField(_("birth date"))
    occupation = models.CharField(_("occupation"), max_length=40)
    desa_id = models.CharField(max_length=13)
    kecamatan_id = models.CharField(max_length=8)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary_list", "worker"], name="beneficiary_unique_worker"
            )
        ]
        indexes = [
            models.Index(
                fields=["beneficiary_list", "source", "rank"], name="beneficiary_source_rank"
            ),
            models.Index(
                fields=["beneficiary_list", "kecamatan_id", "desa_id"], name="beneficiary_area"
            ),
            # "is this worker on an approved list?" (the worker page, already-sponsored checks)
            models.Index(fields=["worker", "beneficiary_list"], name="beneficiary_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_list_id}: {self.worker_id}"


class ChangeKind(models.TextChoices):
    ADDED = "added", _("added")
    REMOVED = "removed", _("removed")
    MOVED = "moved", _("other funding source")


class ListChange(models.Model):
    """A difference between a revised list and the list it replaces."""

    beneficiary_list = models.ForeignKey(
        BeneficiaryList, on_delete=models.CASCADE, related_name="changes"
    )
    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    source_before = models.CharField(max_length=30, blank=True)
    source_after = models.CharField(max_length=30, blank=True)
    nik = models.CharField("NIK", max_length=16)
    name = models.CharField(_("name"), max_length=200)
    desa_id = models.CharField(max_length=13)
    kecamatan_id = models.CharField(max_length=8)

    class Meta:
        indexes = [
            models.Index(
                fields=["beneficiary_list", "kind", "kecamatan_id"], name="list_change_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_list_id}: {self.kind} {self.worker_id}"


class FileStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("being made")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class LampiranFiles(models.Model):
    """The lampiran of a list as PDF and XLSX, made once by a background job and then served.

    One row per variant: the whole list (`scope` empty: every role that sees the deployment)
    or one area operator's wilayah (`scope` their region codes), with full or masked NIK. The
    files live under LINDUNG_VAR/lampiran/<list number>/; `fingerprint` is a digest of what the
    heading and signature print (decree number, date, subject, the head of region), so a change
    of any of them makes the files again.
    """

    beneficiary_list = models.ForeignKey(
        BeneficiaryList, on_delete=models.CASCADE, related_name="lampiran_files"
    )
    scope = models.CharField(max_length=200, blank=True)  # region codes, comma-separated
    show_nik = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=FileStatus.choices)
    step = models.CharField(max_length=20, blank=True)  # see lampiran_files.STEPS
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)  # of the files made
    rows = models.PositiveIntegerField(default=0)
    made_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)  # a running job's heartbeat
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary_list", "scope", "show_nik"], name="lampiran_files_variant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_list_id} [{self.scope or '*'}] {self.status}"
