"""Store the signs' JSON of SchoolTestIndicator uncompressed on PostgreSQL.

Each row's signs (≈ 5 KB of evidence) went through pglz when it was written: a third of
the time of storing a snapshot (measured: 0.52 s → 0.22 s per 1,500 rows by COPY). The
text is small and read whole by the card, so compression saves little.
"""

from django.db import migrations


def storage(value: str):
    def apply(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("results", "SchoolTestIndicator")._meta.db_table
        schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "signs" SET STORAGE {value}')

    return apply


class Migration(migrations.Migration):
    dependencies = [("results", "0003_indicators")]

    operations = [
        migrations.RunPython(storage("EXTERNAL"), storage("EXTENDED"), elidable=True),
    ]
