"""A wadah belongs to one kabupaten/kota (its policy funds it): the existing ones to their area's
kabupaten/kota, or the installation's first one (it served one until now)."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Deployment = apps.get_model("regions", "Deployment")
    Wadah = apps.get_model("enrollment", "Wadah")
    deployment = Deployment.objects.filter(pk=1).first()
    codes = sorted(deployment.areas.values_list("code", flat=True)) if deployment else []
    first = codes[0] if codes else settings.LINDUNG_DEFAULT_KABUPATEN
    for wadah in Wadah.objects.filter(kabupaten=""):
        wadah.kabupaten = ".".join(wadah.area.split(".")[:2]) if wadah.area else first
        wadah.save(update_fields=["kabupaten"])


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0002_deployment_decree_settings"),
        ("enrollment", "0003_participation_participation_nik"),
    ]

    operations = [
        migrations.AddField(
            model_name="wadah",
            name="kabupaten",
            field=models.CharField(blank=True, max_length=13, verbose_name="regency/city"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
