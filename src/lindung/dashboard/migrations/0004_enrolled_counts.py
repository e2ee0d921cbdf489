from django.db import migrations, models


class Migration(migrations.Migration):
    """The count of participations registered with BPJS (TERDAFTAR) beside the sponsored one."""

    dependencies = [
        ("dashboard", "0003_cell_generations"),
    ]

    operations = [
        migrations.AddField(
            model_name="cell",
            name="enrolled",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="enrolled",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
