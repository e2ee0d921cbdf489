"""The search tokens of the workers already in the registry (registry.names.name_tokens).

Uses today's rules: when the rules change, the tokens are rebuilt with `lindung
reindex_names`."""

from django.db import migrations

from lindung.registry.names import name_tokens

CHUNK = 20_000


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    worker_model = apps.get_model("registry", "Worker")
    token_model = apps.get_model("registry", "WorkerNameToken")
    db = schema_editor.connection.alias
    token_length = token_model._meta.get_field("token").max_length
    last = 0
    while True:
        rows = list(
            worker_model.objects.using(db)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "name", "name_key", "kabupaten_id", "kecamatan_id", "desa_id",
                         "merged_into_id")[:CHUNK]
        )  # fmt: skip
        if not rows:
            return
        token_model.objects.using(db).bulk_create(
            [
                token_model(
                    worker_id=pk,
                    token=token[:token_length],
                    name_key=name_key,
                    kabupaten=kabupaten,
                    kecamatan=kecamatan,
                    desa=desa,
                )
                for pk, name, name_key, kabupaten, kecamatan, desa, merged in rows
                if merged is None
                for token in name_tokens(name)
            ],
            batch_size=2_000,
            ignore_conflicts=True,
        )
        last = rows[-1][0]


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("registry", "WorkerNameToken").objects.using(
        schema_editor.connection.alias
    ).all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_worker_name_tokens")]

    operations = [migrations.RunPython(backfill, remove)]
