from typing import Any

from django.db import migrations
from django.utils import timezone


def mark_stale(apps: Any, schema_editor: Any) -> None:
    """The cells counted before 0006 hold nobody protected: the next dashboard page queues a
    recount (`dashboard.signals.ensure_queued`)."""
    State = apps.get_model("dashboard", "State")
    State.objects.filter(stale_since__isnull=True).update(stale_since=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0006_protected_counts"),
    ]

    operations = [
        migrations.RunPython(mark_stale, migrations.RunPython.noop),
    ]
