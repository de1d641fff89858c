"""Sends the staff replies held for quiet hours once they are due: `python -m staff send_scheduled_replies`.

The console (`python -m staff.serve`) runs the same loop in a thread; this command is for a
deployment that runs it as its own process, or once from cron with --once.
"""

import threading

from django.core.management.base import BaseCommand

from clinic.rasa_api import RasaApi
from staff.escalations.replies import SENDER_INTERVAL, run_sender_loop, send_due_replies


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="send what is due now, then exit")
        parser.add_argument("--every", type=float, default=SENDER_INTERVAL, help="seconds between looks")

    def handle(self, *args, once: bool, every: float, **options) -> None:
        if once:
            self.stdout.write(f"{send_due_replies(RasaApi.from_env())} scheduled replies handled")
            return
        run_sender_loop(threading.Event(), every)
