"""The registry of BPU workers (pekerja bukan penerima upah) and the imports that fill it."""

import uuid
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from lindung.regions import scope
from lindung.registry.names import name_tokens


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class Occupation(models.TextChoices):
    """Occupation codes. Tobacco codes matter: DBHCHT money may only pay for them."""

    PETANI = "petani", _("Farmer")
    BURUH_TANI = "buruh_tani", _("Farm labourer")
    PETANI_TEMBAKAU = "petani_tembakau", _("Tobacco planter")
    BURUH_TANI_TEMBAKAU = "buruh_tani_tembakau", _("Tobacco farm labourer")
    PEKEBUN = "pekebun", _("Planter")
    PETERNAK = "peternak", _("Livestock keeper")
    NELAYAN = "nelayan", _("Fisher")
    PEDAGANG = "pedagang", _("Trader")
    OJEK = "ojek", _("Motorbike taxi driver")
    TUKANG = "tukang", _("Craftsman / builder")
    BURUH_HARIAN_LEPAS = "buruh_harian_lepas", _("Casual day labourer")
    SOPIR = "sopir", _("Driver")
    LAINNYA = "lainnya", _("Other")


TOBACCO_OCCUPATIONS = frozenset({Occupation.PETANI_TEMBAKAU, Occupation.BURUH_TANI_TEMBAKAU})
# Occupations that PP 50/2025 counts as the transport sector (its own reduction months).
TRANSPORT_OCCUPATIONS = frozenset({Occupation.OJEK, Occupation.SOPIR})


class WorkerStatus(models.TextChoices):
    AKTIF = "aktif", _("Active")
    MENINGGAL = "meninggal", _("Deceased")
    PINDAH = "pindah", _("Moved away")


class Source(models.Model):
    """Where worker lists come from: "DTKS 2025", "P3KE", "Desa Sukamulia", "BPJS"…"""

    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class WorkerQuerySet(models.QuerySet["Worker"]):
    def in_areas(self, codes: list[str]) -> "WorkerQuerySet":
        """Workers living in these regions' subtrees (kabupaten, kecamatan or desa codes)."""
        if not codes:
            return self.none()
        # Each level's code is stored: a kabupaten, kecamatan or desa is an index lookup.
        levels = {
            scope.KABUPATEN_KOTA: "kabupaten_id",
            scope.KECAMATAN: "kecamatan_id",
            scope.DESA_KELURAHAN: "desa_id",
        }
        vendor = connections[self.db].vendor
        return self.filter(scope.q(codes, "kabupaten__code", levels=levels, vendor=vendor))

    def current(self) -> "WorkerQuerySet":
        """Workers not merged into another record."""
        return self.filter(merged_into__isnull=True)


class Worker(models.Model):
    """One BPU worker, identified by NIK. Kabupaten and kecamatan follow from the desa and are
    stored so that scope filters and aggregates are index lookups, not prefix scans."""

    nik = models.CharField("NIK", max_length=16, unique=True)
    no_kk = models.CharField(_("family card number"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=200)  # as written, whitespace collapsed
    name_key = models.CharField(max_length=200)  # lower case, no titles: what matching compares
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    birth_place = models.CharField(_("birth place"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Copies of the desa code's prefixes, kept right by check constraints rather than foreign
    # keys: a million-row import would otherwise pay three foreign-key checks per row.
    kabupaten = models.ForeignKey(
        "regions.Region",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    kecamatan = models.ForeignKey(
        "regions.Region",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    desa = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="workers", db_index=False
    )
    occupation = models.CharField(
        _("occupation"), max_length=24, choices=Occupation.choices, default=Occupation.LAINNYA
    )
    income = models.BigIntegerField(_("monthly income"), null=True, blank=True)
    desil = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    disability = models.BooleanField(_("disability"), default=False)
    female_head = models.BooleanField(_("female head of household"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=WorkerStatus.choices, default=WorkerStatus.AKTIF
    )
    sources: "models.ManyToManyField[Source, WorkerSource]" = models.ManyToManyField(
        Source, through="WorkerSource", related_name="workers"
    )
    # Set when a person review merged this record into another; it then leaves every list.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_batch = models.UUIDField(null=True, blank=True)
    updated_batch = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        indexes = [
            # the registry list, ordered by name, for the whole deployment and per kecamatan/desa
            models.Index(fields=["kabupaten", "name_key", "id"], name="worker_kab_name"),
            models.Index(fields=["kecamatan", "name_key", "id"], name="worker_kec_name"),
            models.Index(fields=["desa", "name_key", "id"], name="worker_desa_name"),
            # possible-duplicate candidates: same birth date in the same kecamatan
            models.Index(fields=["birth_date", "kecamatan"], name="worker_dob_kec"),
            # search by name prefix across the deployment (a range on name_key, see queries._prefix)
            models.Index(fields=["name_key", "id"], name="worker_name_key"),
            models.Index(fields=["no_kk"], name="worker_no_kk"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(desil__isnull=True) | models.Q(desil__gte=1, desil__lte=10),
                name="worker_desil_1_10",
            ),
            models.CheckConstraint(
                condition=models.Q(income__isnull=True) | models.Q(income__gte=0),
                name="worker_income_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(kecamatan=Substr("desa", 1, 8)),
                name="worker_kecamatan_follows_desa",
            ),
            models.CheckConstraint(
                condition=models.Q(kabupaten=Substr("desa", 1, 5)),
                name="worker_kabupaten_follows_desa",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, and keep the search's name tokens in step when what they copy may have
        changed (the import writes both in bulk instead: pipeline.load)."""
        fields = kwargs.get("update_fields")
        adding = self._state.adding
        super().save(*args, **kwargs)
        if fields is None or not TOKEN_SOURCES.isdisjoint(fields):
            if not adding:
                WorkerNameToken.objects.filter(worker_id=self.pk).delete()
            if self.merged_into_id is None:  # a merged-away worker is never found
                WorkerNameToken.objects.bulk_create(
                    WorkerNameToken(
                        worker_id=self.pk,
                        token=token[:TOKEN_LENGTH],
                        name_key=self.name_key,
                        kabupaten=self.kabupaten_id,
                        kecamatan=self.kecamatan_id,
                        desa=self.desa_id,
                    )
                    for token in name_tokens(self.name)
                )


TOKEN_LENGTH = 100
# The worker fields a name token copies or depends on.
TOKEN_SOURCES = frozenset(
    {"name", "name_key", "desa", "desa_id", "kecamatan", "kecamatan_id", "kabupaten",
     "kabupaten_id", "merged_into", "merged_into_id"}
)  # fmt: skip


class NameTokenQuerySet(models.QuerySet["WorkerNameToken"]):
    def in_areas(self, codes: list[str]) -> "NameTokenQuerySet":
        """Tokens of workers living in these regions' subtrees (as WorkerQuerySet.in_areas)."""
        if not codes:
            return self.none()
        levels = {
            scope.KABUPATEN_KOTA: "kabupaten",
            scope.KECAMATAN: "kecamatan",
            scope.DESA_KELURAHAN: "desa",
        }
        vendor = connections[self.db].vendor
        return self.filter(scope.q(codes, "kabupaten", levels=levels, vendor=vendor))


class WorkerNameToken(models.Model):
    """One word of a current worker's name as the search matches it (registry.names), with
    copies of the worker's name key and region codes: a search is a range on `token` within a
    region, read in (token, name_key, worker) order from one index, the way the list reads the
    worker table (decision 0004). Written with the worker by Worker.save and by the import
    (pipeline.load, name_index); a worker merged into another has none."""

    pk = models.CompositePrimaryKey("worker_id", "token")
    # The primary key (worker_id, token) serves the worker's own tokens; no index of its own.
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, db_constraint=False, db_index=False
    )
    token = models.CharField(max_length=TOKEN_LENGTH)
    name_key = models.CharField(max_length=200)
    kabupaten = models.CharField(max_length=13)
    kecamatan = models.CharField(max_length=13)
    desa = models.CharField(max_length=13)

    objects = NameTokenQuerySet.as_manager()

    class Meta:
        indexes = [
            # the search within the deployment, a kecamatan or a desa (queries._name_search)
            models.Index(fields=["kabupaten", "token", "name_key", "worker"], name="token_kab"),
            models.Index(fields=["kecamatan", "token", "name_key", "worker"], name="token_kec"),
            models.Index(fields=["desa", "token", "name_key", "worker"], name="token_desa"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id}: {self.token}"


class WorkerSource(models.Model):
    """A source that listed the worker, and the import that first brought it.

    Written only by the import, in the transaction that creates or updates the worker; workers
    and sources are never deleted. The database does not re-check the two keys: a first import
    of a million workers writes a million links, and the checks would cost it seconds.
    """

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, db_constraint=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, db_constraint=False)
    batch = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["worker", "source"], name="worker_source_unique")
        ]
        indexes = [
            # the registry list filtered by source
            models.Index(fields=["source", "worker"], name="worker_source_by_source"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.source_id}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    CHECKING = "checking", _("Checking")
    READY = "ready", _("Ready to commit")
    COMMITTING = "committing", _("Committing")
    COMMITTED = "committed", _("Committed")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    """One uploaded file: checked (a preview), then committed or discarded.

    The id is also the audit batch id of every event the commit writes. The uploaded file is
    kept under LINDUNG_VAR/imports/ with its SHA-256; row outcomes are kept beside it as Parquet.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(_("file name"), max_length=255)
    file_path = models.CharField(max_length=500)  # relative to LINDUNG_VAR
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField()
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_step = models.CharField(max_length=100, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    code_counts = models.JSONField(default=dict, blank=True)  # {"NIK_INVALID": 3, …}
    error = models.TextField(blank=True)  # why the whole file failed, in Indonesian
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The process working on the batch now ("host:pid:start", registry/recovery.py) and when it
    # last made progress: a batch whose process is gone, or without progress for
    # LINDUNG_IMPORT_STALE_SECONDS, is stale and is marked failed.
    runner = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The status a failed batch was in when its process stopped (crash, kill, restart): a retry
    # resumes from there. Empty when the check refused the file itself.
    interrupted_in = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    DIFFERENT = "different", _("Different people")


class PossibleDuplicate(models.Model):
    """Two workers (different NIKs) who may be one person: similar name, same birth date, same
    or neighbouring desa. A person decides: merge, or mark them as different people."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()  # name similarity, 0-100
    status = models.CharField(
        max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    batch = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["worker", "other"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(worker__lt=models.F("other")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="duplicate_status")]

    def __str__(self) -> str:
        return f"{self.worker_id} ~ {self.other_id}"


class MoveState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class MoveRequest(models.Model):
    """A request to move a worker registered in another wilayah into the requester's desa.

    An import by a region-bound operator never changes a worker outside their wilayah (row code
    NIK_OUTSIDE_SCOPE); committing it records one of these per worker instead. Whoever may
    change the worker where they live now (that wilayah's operators, the regency, admin)
    accepts it, which moves the worker and applies `fields`, or refuses it. The requester sees
    only the masked NIK and the state.
    """

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    target_desa = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    # The values the import row gave, by worker field name (dates as ISO text).
    fields = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MoveState.choices, default=MoveState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("move request")
        verbose_name_plural = _("move requests")
        constraints = [
            # One pending request per worker and requester: importing the same row again
            # refreshes it instead of adding another.
            models.UniqueConstraint(
                fields=["worker", "requested_by"],
                condition=models.Q(state="pending"),
                name="move_request_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(state="pending") | models.Q(decided_at__isnull=False),
                name="move_request_decided_when",
            ),
        ]
        indexes = [
            # the deciders' page: pending requests, newest first
            models.Index(fields=["state", "id"], name="move_request_state"),
            # the requester's own requests
            models.Index(fields=["requested_by", "id"], name="move_request_requester"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} → {self.target_desa_id}"


class SelfPaymentOrigin(models.TextChoices):
    BPJS_LIST = "bpjs_list", _("BPJS list")
    MANUAL = "manual", _("entered by hand")
    ANSWER = "answer", _("the branch's answer")


class SelfPayment(models.Model):
    """A worker who pays BPJS Ketenagakerjaan themselves (mandiri), with their KPJ.

    Kept with the registry because eligibility reads it: the policy says whether an active
    self-paying participant may be sponsored (`Policy.sponsor_self_paying`). Written by the
    enrollment app's services (a BPJS list, by hand, a branch answer "already active").
    """

    worker = models.OneToOneField(Worker, on_delete=models.PROTECT, related_name="self_payment")
    kpj = models.CharField("KPJ", max_length=11)
    active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("paying since"), null=True, blank=True)
    until = models.DateField(_("paid until"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=SelfPaymentOrigin.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("self-paying participant")
        verbose_name_plural = _("self-paying participants")
        indexes = [
            # KPJ conflicts and look-ups by KPJ
            models.Index(fields=["kpj"], name="self_payment_kpj"),
            # eligibility: the active ones
            models.Index(fields=["active", "worker"], name="self_payment_active"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} KPJ {self.kpj}"
