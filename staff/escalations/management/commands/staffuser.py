"""Creates a console account: `make staff-user`, interactive or from STAFF_USERNAME/STAFF_PASSWORD/STAFF_ROLE.

STAFF_DISPLAY_NAME and STAFF_TITLE (e.g. "Maria", "nurse") are how visitors see the account in
staff mode ("Maria, nurse from <clinic>, has joined"); without them, the username and "care team member".
"""

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from staff.escalations.models import StaffProfile
from staff.escalations.roles import ROLES, STAFF, create_user


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default=os.environ.get("STAFF_USERNAME", ""))
        parser.add_argument("--role", choices=ROLES, default=os.environ.get("STAFF_ROLE") or STAFF)

    def handle(self, *args, username: str, role: str, **options) -> None:
        password = os.environ.get("STAFF_PASSWORD", "")
        interactive = sys.stdin.isatty()
        if not username and interactive:
            username = input("Username: ").strip()
        if not password and interactive:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        if not username or not password:
            raise CommandError("set STAFF_USERNAME and STAFF_PASSWORD (or run it in a terminal)")
        try:
            user = create_user(username, password, role)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        display_name, title = os.environ.get("STAFF_DISPLAY_NAME", ""), os.environ.get("STAFF_TITLE", "")
        if display_name or title:
            StaffProfile.objects.create(user=user, display_name=display_name[:60], role=title[:60])
        self.stdout.write(f"created {role} account {username}")
