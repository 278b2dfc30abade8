from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("returnsdesk_oscar", "0002_auditanchor")]

    operations = [
        migrations.CreateModel(
            name="ReturnNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=32)),
                ("status", models.CharField(max_length=16)),
                ("subject", models.CharField(blank=True, max_length=300)),
                ("message_id", models.CharField(blank=True, max_length=200)),
                ("total", models.DecimalField(decimal_places=2, max_digits=12)),
                ("currency", models.CharField(max_length=12)),
                ("refund_expected_by", models.DateField(blank=True, null=True)),
                ("review_by", models.DateField(blank=True, null=True)),
                ("at", models.DateTimeField()),
                (
                    "return_authorisation",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="notices",
                        to="returnsdesk_oscar.returnauthorisation",
                    ),
                ),
            ],
            options={"ordering": ["at", "id"]},
        ),
    ]
