"""Wadah, participations, registration batches and the branch's answers."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lindung.regions import scope


class WadahType(models.TextChoices):
    """BPJS TK's type codes of a collective group (PROBIS Kepesertaan)."""

    SG = "SG", _("SG: vulnerable workers funded by the regional government")
    SA = "SA", _("SA: village workers funded by the APBD")
    SD = "SD", _("SD: village workers funded by the APBDes")
    SL = "SL", _("SL: other funding")
    SC = "SC", _("SC: corporate CSR")
    SB = "SB", _("SB: banking CSR")


class Wadah(models.Model):
    """A sponsor's collective group at the BPJS TK branch: the workers one funding source pays
    for are registered under it, with its own registration number (NPW)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("funding source"), max_length=30)
    type_code = models.CharField(_("type"), max_length=2, choices=WadahType.choices)
    npw = models.CharField(_("NPW"), max_length=30, blank=True)
    branch = models.CharField(_("branch office"), max_length=100, blank=True)
    # The kabupaten/kota whose policy funds it: its participants are that kabupaten's workers.
    kabupaten = models.CharField(_("regency/city"), max_length=13, blank=True)
    # An APBDes wadah belongs to one desa; empty: the whole kabupaten/kota.
    area = models.CharField(_("area"), max_length=13, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # The registration file's columns as the branch asked for them: [[field, header], …];
    # empty: the default layout (batches.DEFAULT_LAYOUT, docs/formats/).
    layout = models.JSONField(default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("wadah")
        verbose_name_plural = _("wadah")

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Left empty: the area's kabupaten/kota, or the installation's only one.
        if not self.kabupaten:
            self.kabupaten = scope.kabupaten_of(self.area) if self.area else scope.sole_kabupaten()
        super().save(*args, **kwargs)


class State(models.TextChoices):
    CALON = "CALON", _("Candidate")
    DIAJUKAN = "DIAJUKAN", _("Submitted")
    TERDAFTAR = "TERDAFTAR", _("Registered")
    DITOLAK = "DITOLAK", _("Rejected")
    GANDA_AKTIF = "GANDA_AKTIF", _("Already an active participant")
    BERAKHIR = "BERAKHIR", _("Ended")


class EndReason(models.TextChoices):
    DIED = "died", _("died")
    MOVED_OUT = "moved_out", _("moved out of the regency")
    WAGE_WORKER = "wage_worker", _("became a wage worker")
    AGE_LIMIT = "age_limit", _("above the age limit")
    LIST_REVISION = "list_revision", _("removed by a list revision")
    SOURCE_CHANGED = "source_changed", _("paid by another funding source")
    NOT_RENEWED = "not_renewed", _("not on the next year's list")
    YEAR_ENDED = "year_ended", _("the fiscal year ended (continued the next year)")
    LAPSED = "lapsed", _("lapsed: contributions unpaid")


class Kind(models.TextChoices):
    NEW = "new", _("new registration")
    RENEWAL = "renewal", _("renewal")


class Participation(models.Model):
    """A worker's participation of one fiscal year, paid by one funding source.

    Made when an approved list names the worker (`CALON`); it then follows `states.TRANSITIONS`.
    NIK, name and area are copied from the list entry: the area scopes every read, the NIK
    matches the branch's answer.
    """

    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    source = models.CharField(_("funding source"), max_length=30)
    beneficiary_list = models.ForeignKey(
        "targeting.BeneficiaryList", on_delete=models.PROTECT, related_name="+"
    )
    wadah = models.ForeignKey(
        Wadah, on_delete=models.PROTECT, null=True, blank=True, related_name="participations"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEW)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    kpj = models.CharField("KPJ", max_length=11, blank=True)
    nik = models.CharField("NIK", max_length=16)
    name = models.CharField(_("name"), max_length=200)
    desa_id = models.CharField(max_length=13)
    kecamatan_id = models.CharField(max_length=8)
    batch = models.ForeignKey(
        "RegistrationBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    effective_from = models.DateField(_("protected from"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)  # the branch's words
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            # One open participation per worker and year; ended ones are history.
            models.UniqueConstraint(
                fields=["worker", "fiscal_year"],
                condition=~Q(state="BERAKHIR"),
                name="participation_one_open_per_year",
            ),
            models.CheckConstraint(
                condition=~Q(state="TERDAFTAR") | (~Q(kpj="") & Q(effective_from__isnull=False)),
                name="participation_registered_has_kpj",
            ),
        ]
        indexes = [
            # the pages' and status counts: a year's participations per state and source
            models.Index(fields=["fiscal_year", "state", "source"], name="participation_counts"),
            # the overview's count table: per source, wadah and state
            models.Index(
                fields=["fiscal_year", "source", "wadah", "state"], name="participation_table"
            ),
            # scoped lists: an area's participations
            models.Index(fields=["kecamatan_id", "desa_id"], name="participation_area"),
            # KPJ conflicts: which worker holds a KPJ
            models.Index(fields=["kpj"], name="participation_kpj"),
            # the branch's files that name a worker by NIK only (claim reports, recaps)
            models.Index(fields=["nik"], name="participation_nik"),
            # the worker page's history
            models.Index(fields=["worker", "fiscal_year"], name="participation_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.worker_id} {self.state}"


class BatchStatus(models.TextChoices):
    SENT = "sent", _("sent to the branch")
    PARTLY_ANSWERED = "partly", _("partly answered")
    ANSWERED = "answered", _("answered")
    CANCELLED = "cancelled", _("cancelled")


class RegistrationBatch(models.Model):
    """The candidates of one wadah and start period sent to the branch in one file."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    beneficiary_list = models.ForeignKey(
        "targeting.BeneficiaryList", on_delete=models.PROTECT, related_name="+"
    )
    wadah = models.ForeignKey(Wadah, on_delete=models.PROTECT, related_name="batches")
    source = models.CharField(_("funding source"), max_length=30)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    start = models.DateField(_("start"))  # the first day of the first month paid
    months = models.PositiveSmallIntegerField(_("months"))
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.SENT)
    workers = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list)  # [{nik, name, code, message}] held back
    layout = models.JSONField(default=list)  # [[field, header], …] as written
    layout_version = models.CharField(max_length=10)
    folder = models.CharField(max_length=200)  # relative to LINDUNG_VAR
    sha256 = models.CharField(max_length=64, blank=True)  # of the XLSX
    registered = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    already_active = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("registration batch")
        verbose_name_plural = _("registration batches")

    def __str__(self) -> str:
        return f"{self.pk} ({self.wadah_id}, {self.start:%Y-%m})"

    @property
    def waiting(self) -> int:
        return max(0, self.workers - self.registered - self.rejected - self.already_active)


class BatchItem(models.Model):
    """A worker as a batch's file lists them (its row), answered by NIK."""

    batch = models.ForeignKey(RegistrationBatch, on_delete=models.CASCADE, related_name="items")
    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField()  # baris_lampiran: the row in the file, from 1
    nik = models.CharField("NIK", max_length=16)
    kpj = models.CharField("KPJ", max_length=11, blank=True)  # a renewal's known KPJ

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "nik"], name="batch_item_unique_nik")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row}"


class AnswerStatus(models.TextChoices):
    CHECKING = "checking", _("being checked")
    CHECKED = "checked", _("checked, waiting for a decision")
    COMMITTING = "committing", _("being saved")
    COMMITTED = "committed", _("saved")
    DISCARDED = "discarded", _("discarded")
    FAILED = "failed", _("failed")


class Answer(models.Model):
    """A file the branch sent back for a batch: checked, previewed, then committed or
    discarded. The checked rows are kept as Parquet beside the file (`answers.store`)."""

    batch = models.ForeignKey(RegistrationBatch, on_delete=models.PROTECT, related_name="answers")
    file_name = models.CharField(_("file name"), max_length=255)
    folder = models.CharField(max_length=200)  # relative to LINDUNG_VAR
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=12, choices=AnswerStatus.choices, default=AnswerStatus.CHECKING
    )
    rows_total = models.PositiveIntegerField(default=0)
    registered = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    already_active = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    code_counts = models.JSONField(default=dict, blank=True)
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
        ordering = ["-created_at"]
        verbose_name = _("branch answer")
        verbose_name_plural = _("branch answers")

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.file_name}"
