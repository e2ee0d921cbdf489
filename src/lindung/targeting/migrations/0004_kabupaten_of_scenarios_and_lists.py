"""Each kabupaten/kota of an installation runs its own scenarios and approves its own lists:
those made so far belong to the installation's first kabupaten/kota (it served one until now)."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Deployment = apps.get_model("regions", "Deployment")
    deployment = Deployment.objects.filter(pk=1).first()
    codes = sorted(deployment.areas.values_list("code", flat=True)) if deployment else []
    code = codes[0] if codes else settings.LINDUNG_DEFAULT_KABUPATEN
    for model in ("Scenario", "BeneficiaryList"):
        apps.get_model("targeting", model).objects.filter(kabupaten="").update(kabupaten=code)


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0002_deployment_decree_settings"),
        ("targeting", "0003_lampiran_decree_and_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="scenario",
            name="kabupaten",
            field=models.CharField(default="", max_length=13, verbose_name="regency/city"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="beneficiarylist",
            name="kabupaten",
            field=models.CharField(default="", max_length=13, verbose_name="regency/city"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="beneficiarylist", name="beneficiary_list_year_version"
        ),
        migrations.AddConstraint(
            model_name="beneficiarylist",
            constraint=models.UniqueConstraint(
                fields=("kabupaten", "fiscal_year", "version"),
                name="beneficiary_list_kab_year_version",
            ),
        ),
    ]
