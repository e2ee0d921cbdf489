"""Each kabupaten/kota of an installation has its own policy: the versions saved so far belong
to the installation's first kabupaten/kota (an installation served one until now)."""

from django.conf import settings
from django.db import migrations, models


def first_kabupaten(apps, schema_editor):  # type: ignore[no-untyped-def]
    Deployment = apps.get_model("regions", "Deployment")
    deployment = Deployment.objects.filter(pk=1).first()
    codes = sorted(deployment.areas.values_list("code", flat=True)) if deployment else []
    return codes[0] if codes else settings.LINDUNG_DEFAULT_KABUPATEN


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    PolicyVersion = apps.get_model("rules", "PolicyVersion")
    PolicyVersion.objects.filter(kabupaten="").update(kabupaten=first_kabupaten(apps, schema_editor))


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0002_deployment_decree_settings"),
        ("rules", "0002_policy_versions_and_nominations"),
    ]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="kabupaten",
            field=models.CharField(default="", max_length=13, verbose_name="regency/city"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="policyversion",
            index=models.Index(fields=["kabupaten", "-number"], name="policy_kabupaten_latest"),
        ),
    ]
