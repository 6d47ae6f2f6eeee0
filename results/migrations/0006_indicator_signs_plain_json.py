"""The signs of SchoolTestIndicator as PostgreSQL json instead of jsonb (faster COPY).

The type change resets the column's storage, so EXTERNAL (see 0004) is set again.
"""

from django.db import migrations

import results.models


def storage(value: str):
    def apply(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("results", "SchoolTestIndicator")._meta.db_table
        schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "signs" SET STORAGE {value}')

    return apply


class Migration(migrations.Migration):
    dependencies = [("results", "0005_indicator_q_values_on_read")]

    operations = [
        migrations.AlterField(
            model_name="schooltestindicator",
            name="signs",
            field=results.models.VerbatimJSONField(default=dict, verbose_name="признаки"),
        ),
        migrations.RunPython(storage("EXTERNAL"), storage("EXTENDED"), elidable=True),
    ]
