# Whether a Spanish-speaking staff member should answer (issue 18). The escalation's
# ``language`` itself came with 0006_triage_review (issue 20).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0008_staff_handoff"),
    ]

    operations = [
        migrations.AddField(
            model_name="escalation",
            name="needs_spanish_speaker",
            field=models.BooleanField(default=False),
        ),
    ]
