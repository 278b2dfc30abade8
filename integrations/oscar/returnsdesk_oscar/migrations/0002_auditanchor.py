# The audit anchors (models.AuditAnchor): written for issue 11, in the style Django generates.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returnsdesk_oscar", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key_id", models.CharField(max_length=16)),
                ("sequence", models.PositiveBigIntegerField()),
                ("entry_hash", models.CharField(max_length=64)),
                ("anchored_at", models.DateTimeField()),
                ("received_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["key_id", "sequence"],
            },
        ),
        migrations.AddConstraint(
            model_name="auditanchor",
            constraint=models.UniqueConstraint(
                fields=("key_id", "sequence"), name="rd_one_anchor_per_entry"
            ),
        ),
    ]
