"""The signs' columns of each snapshot as JSON bytes, stored as they are on PostgreSQL
(EXTERNAL: out of line, no pglz: compressing cost more time than it saved)."""

from django.db import migrations

import results.models


def storage(value: str):
    def apply(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("results", "IndicatorSnapshot")._meta.db_table
        schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "tables" SET STORAGE {value}')

    return apply


class Migration(migrations.Migration):
    dependencies = [("results", "0007_version_pupils_pack")]

    operations = [
        migrations.AddField(
            model_name="indicatorsnapshot",
            name="tables",
            field=results.models.JSONBytesField(null=True, verbose_name="столбцы признаков"),
        ),
        migrations.RunPython(storage("EXTERNAL"), storage("EXTENDED"), elidable=True),
    ]
