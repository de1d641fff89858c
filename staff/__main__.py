"""`python -m staff <command>`: Django's manage.py for the staff console."""

import logging.config
import os
import sys

from django.conf import settings
from django.core.management import execute_from_command_line

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staff.settings")
    logging.config.dictConfig(settings.LOGGING)
    execute_from_command_line([f"{sys.executable} -m staff", *sys.argv[1:]])
