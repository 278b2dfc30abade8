from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("returnsdesk_oscar", "0003_returnnotice")]

    operations = [
        migrations.AddField(
            model_name="returnauthorisation",
            name="customer_language",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
    ]
