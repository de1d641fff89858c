"""`python -m staff review_export`: the labelled review messages as NLU data and test stories."""

from pathlib import Path

from django.core.management.base import BaseCommand

from clinic.review_export import Labelled, export
from staff.escalations.models import ReviewItem, ReviewStatus

ROOT = Path(__file__).resolve().parents[4]


class Command(BaseCommand):
    help = "Writes messages labelled in the review page to data/nlu_reviewed.yml and tests/reviewed_stories.yml."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
        parser.add_argument("--stories", type=Path, default=ROOT / "tests" / "reviewed_stories.yml")

    def handle(self, *args, data_dir: Path, stories: Path, **options):
        # Only what a person labelled with an intent: nothing reaches training without a label.
        labelled = [
            Labelled(item.text, item.intent, item.conversation_id, item.at.timestamp())
            for item in ReviewItem.objects.filter(status=ReviewStatus.LABELLED).exclude(intent="")
        ]
        result = export(labelled, data_dir, stories)
        for reason in result.skipped:
            self.stderr.write(f"left out, {reason}")
        self.stdout.write(f"{result.examples} examples and {result.stories} test stories written")
