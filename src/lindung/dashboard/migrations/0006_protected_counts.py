from django.db import migrations, models


class Migration(migrations.Migration):
    """The coverage of the day of the count beside the list and BPJS counts (protected, in
    grace, lapsed: `billing.coverage`), the day counted, and the version the alerts panel keys
    its counts on."""

    dependencies = [
        ("dashboard", "0005_recount_for_enrolled"),
    ]

    operations = [
        migrations.AddField(
            model_name="cell",
            name="protected",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="cell",
            name="in_grace",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="cell",
            name="lapsed",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="protected",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="in_grace",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="lapsed",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="state",
            name="counted_on",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="state",
            name="alerts_version",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
