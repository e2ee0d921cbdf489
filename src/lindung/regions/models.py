"""The Kemendagri wilayah tree, its boundaries and population, and the deployment's area."""

from typing import Any

from django.db import connections, models
from django.utils.translation import gettext_lazy as _

from lindung.regions import scope


class Level(models.IntegerChoices):
    PROVINSI = 1, _("Province")
    KABUPATEN_KOTA = 2, _("Regency/city")
    KECAMATAN = 3, _("District (kecamatan)")
    DESA_KELURAHAN = 4, _("Village (desa/kelurahan)")


class RegionType(models.TextChoices):
    PROVINSI = "provinsi", _("province")
    KABUPATEN = "kabupaten", _("regency")
    KOTA = "kota", _("city")
    KECAMATAN = "kecamatan", _("district")
    DESA = "desa", _("village")
    KELURAHAN = "kelurahan", _("urban village")
    DESA_ADAT = "desa_adat", _("customary village")


class RegionQuerySet(models.QuerySet["Region"]):
    def within(self, codes: list[str]) -> "RegionQuerySet":
        """Regions whose code equals or lies below one of the given codes (`scope.q`)."""
        if not codes:
            return self.none()
        return self.filter(scope.q(codes, "code", vendor=connections[self.db].vendor))


class Region(models.Model):
    """One wilayah: provinsi, kabupaten/kota, kecamatan or desa/kelurahan.

    The Kemendagri code is the primary key (`52.03.07.1001`): every other table that points at a
    region stores the code, so a scope check is a prefix match and needs no join.
    """

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    # Lower-case name without "Kec."/"Desa"/"Kel." prefixes and punctuation: what lookups match.
    name_key = models.CharField(max_length=100, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    type = models.CharField(_("type"), max_length=10, choices=RegionType.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [
            # name lookup within a parent: regions.lookup.find_region
            models.Index(fields=["parent", "name_key"], name="region_parent_name_key"),
            models.Index(fields=["level", "code"], name="region_level_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True)
                | models.Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        prefix = {
            RegionType.KECAMATAN: "Kec. ",
            RegionType.DESA: "Desa ",
            RegionType.KELURAHAN: "Kel. ",
        }.get(RegionType(self.type), "")
        return prefix + self.name

    @property
    def kabupaten_code(self) -> str:
        return ".".join(self.code.split(".")[:2])


class Boundary(models.Model):
    """A region's polygon for maps, as GeoJSON geometry in WGS84 ([lng, lat])."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, primary_key=True, related_name="boundary"
    )
    geometry = models.JSONField()
    # Bounding box and a representative point, precomputed so map pages need no geometry maths.
    min_lng = models.FloatField()
    min_lat = models.FloatField()
    max_lng = models.FloatField()
    max_lat = models.FloatField()
    source = models.CharField(max_length=255, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return str(self.region_id)


class Population(models.Model):
    """Population of a region in a year (Dukcapil, BPS): the denominator of coverage rates."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveIntegerField(_("population"))
    source = models.CharField(max_length=255, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("population")
        verbose_name_plural = _("population")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="population_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.count}"


class DecreeFields(models.Model):
    """What the decrees (SK) of a head of region say: the lampiran of an approved list."""

    head_title = models.CharField(
        _("title of the head of region"),
        max_length=40,
        blank=True,
        help_text=_("Bupati or Wali Kota; empty: from the kabupaten/kota served."),
    )
    head_name = models.CharField(_("name of the head of region"), max_length=200, blank=True)
    signing_place = models.CharField(
        _("place of signing"), max_length=100, blank=True, help_text=_("For example Selong.")
    )
    decree_subject = models.TextField(
        _("subject of the decree (TENTANG)"),
        blank=True,
        help_text=_("Printed after TENTANG on the lampiran; the fiscal year is added."),
    )

    class Meta:
        abstract = True


DECREE_FIELDS = ("head_title", "head_name", "signing_place", "decree_subject")


class Deployment(DecreeFields):
    """This installation: the kabupaten/kota it serves. One row (pk=1). Its decree settings
    are those of an installation that serves one kabupaten/kota; in one that serves several,
    each has its own (`RegencyDecree`)."""

    name = models.CharField(_("name"), max_length=200)
    areas = models.ManyToManyField(Region, related_name="+", verbose_name=_("served areas"))
    configured_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deployment")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="deployment_single")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    def area_codes(self) -> list[str]:
        return sorted(self.areas.values_list("code", flat=True))

    def decree_for(self, kabupaten: str | None = None) -> dict[str, str]:
        """The decree settings that apply to `kabupaten`'s lists: its own where it has them
        (an installation of several), else the installation's."""
        own = RegencyDecree.objects.filter(kabupaten_id=kabupaten).first() if kabupaten else None
        source: DecreeFields = own or self
        return {field: getattr(source, field) for field in DECREE_FIELDS}

    def head_of_region(self, kabupaten: str | None = None) -> str:
        """The office that signs the decrees: "Bupati Lombok Timur", "Wali Kota Mataram"; of
        `kabupaten` alone when given (in a province, each signs its own)."""
        areas = sorted(self.areas.all(), key=lambda r: r.code)
        if kabupaten is not None:
            areas = [r for r in areas if r.code == kabupaten] or areas
        names = " dan ".join(_short_name(r) for r in areas) or self.name
        head_title = self.decree_for(kabupaten)["head_title"]
        if head_title:
            title = head_title
        elif areas and all(r.type == RegionType.KOTA for r in areas):
            title = "Wali Kota"
        else:
            title = "Bupati"
        return f"{title} {names}"


class RegencyDecree(DecreeFields):
    """The decree settings of one kabupaten/kota in an installation that serves several: each
    kabupaten/kota's lists are annexed to its own head's decree."""

    kabupaten = models.OneToOneField(
        Region, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("decree settings of a regency/city")
        verbose_name_plural = _("decree settings of the regencies/cities")

    def __str__(self) -> str:
        return str(self.kabupaten_id)


def _short_name(region: Region) -> str:
    """A kabupaten/kota's name without its type: "Kabupaten Lombok Timur" → "Lombok Timur"."""
    for prefix in ("Kabupaten ", "Kota ", "Kab. "):
        if region.name.startswith(prefix):
            return region.name[len(prefix) :]
    return region.name
