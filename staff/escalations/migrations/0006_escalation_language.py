# Also merges the crisis branch's 0004_crisis_reasons with main's line (login counter, SMS quiet hours).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0004_crisis_reasons"),
        ("escalations", "0005_sms_quiet_hours"),
    ]

    operations = [
        migrations.AddField(
            model_name="escalation",
            name="language",
            field=models.CharField(db_index=True, default="en", max_length=5),
        ),
        migrations.AddField(
            model_name="escalation",
            name="needs_spanish_speaker",
            field=models.BooleanField(default=False),
        ),
    ]
