"""Pre-aggregated counts behind the dashboard, rebuilt from the registry, the active policy and
the approved beneficiary lists (see `dashboard.aggregates`)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    TOTAL = "total", _("total")
    AGE = "age", _("age band")
    DESIL = "desil", _("desil")
    MONTH = "month", _("month of registration")


class Counts(models.Model):
    """Workers of a fiscal year in a desa, those a source pays for (with their cost), those of
    them BPJS Ketenagakerjaan has registered (`enrolled`: participations TERDAFTAR), and their
    standing on the day of the count (`billing.coverage`): `protected` (in a paid period, or a
    self-payer paid through that day, source `mandiri`), `in_grace` (unpaid, arrears still
    allowed) and `lapsed`. The standing is counted for the fiscal year of that day only: the
    other years' rows hold 0 (a past year's standing stays in its days' snapshots)."""

    fiscal_year = models.PositiveSmallIntegerField()
    kecamatan_id = models.CharField(max_length=8)
    desa_id = models.CharField(max_length=13)
    source = models.CharField(max_length=30, blank=True)
    registered = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    sponsored = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    protected = models.PositiveIntegerField(default=0)
    in_grace = models.PositiveIntegerField(default=0)
    lapsed = models.PositiveIntegerField(default=0)
    cost = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class Cell(Counts):
    """Counts for one fiscal year, desa, occupation, sex and paying source, along one dimension.

    Each registered worker adds `registered` 1 (and `eligible` 1 when the active policy admits
    them for the year) to one cell per dimension; each worker on the year's approved list adds
    `sponsored` 1 and its cost to one cell per dimension (except `month`), with the source and
    the desa, occupation and sex the list froze; each participation of the year registered with
    BPJS (TERDAFTAR) adds `enrolled` 1 the same way, with the participation's source and desa;
    each participation of the current year protected, in grace or lapsed on the day of the
    count adds 1 to `protected`, `in_grace` or `lapsed` the same way (a protected self-payer
    with source `mandiri` and the registry's desa). `source` is empty on registry rows. So
    every dimension adds up to the same totals, and the `total` dimension (key "") alone gives
    them.
    """

    # The rebuild that wrote the row: pages read `State.generation` only, so a rebuild writes
    # its rows beside the old ones and swaps the number when they are all in.
    generation = models.PositiveIntegerField(default=0)
    occupation = models.CharField(max_length=24)
    sex = models.CharField(max_length=1)
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "fiscal_year", "dimension", "kecamatan_id", "desa_id"],
                name="dashboard_cell_generation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.desa_id} {self.dimension}={self.key}"


class State(models.Model):
    """When the cells were rebuilt, from what, and whether a change has made them stale."""

    refreshed_at = models.DateTimeField(null=True)
    # The local day whose coverage the cells count ("protected today"): the page queues a
    # recount when the date has changed since (`dashboard.signals.ensure_queued`).
    counted_on = models.DateField(null=True)
    stale_since = models.DateTimeField(null=True)
    queued = models.BooleanField(default=False)
    fiscal_years = models.JSONField(default=list)
    policy_version = models.PositiveIntegerField(null=True)
    lists = models.JSONField(default=dict)  # fiscal year → number of the list in force
    budgets = models.JSONField(default=dict)  # fiscal year → {source: pagu}
    labels = models.JSONField(default=dict)  # source code → label
    workers = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    generation = models.PositiveIntegerField(default=0)  # the cells pages read
    last_generation = models.PositiveIntegerField(default=0)  # the last one a rebuild took
    # Raised by every audit event that may change the alerts (`dashboard.signals`): the alerts
    # panel keeps its counts while this, the day and the generation stay the same.
    alerts_version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"dashboard state {self.refreshed_at}"

    def years(self) -> list[int]:
        """The fiscal years the figures were counted for (next year before the first count)."""
        return self.fiscal_years or [timezone.localdate().year + 1]

    def default_fiscal_year(self) -> int:
        """The year the page and the API show when none is asked: the latest year with an
        approved list, else next year, else the last year counted."""
        listed = [int(year) for year in self.lists]
        if listed:
            return max(listed)
        next_year = timezone.localdate().year + 1
        return next_year if next_year in self.years() else self.years()[-1]


class Snapshot(Counts):
    """The `total` cells of one day, summed per fiscal year, desa and paying source: what the
    dashboard showed that day, for reports of a past date and the trend over time. A rebuild
    replaces the rows of its own (local) day."""

    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(
                fields=["fiscal_year", "day", "kecamatan_id"], name="dashboard_snapshot_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.fiscal_year} {self.desa_id} {self.source}"


class SnapshotDay(models.Model):
    """A day with a snapshot: when it was taken and the budgets and lists of that day."""

    day = models.DateField(primary_key=True)
    taken_at = models.DateTimeField()
    budgets = models.JSONField(default=dict)  # fiscal year → {source: pagu}
    lists = models.JSONField(default=dict)  # fiscal year → list number

    def __str__(self) -> str:
        return str(self.day)
