"""The console's roles as Django groups: what staff, admins and content editors may do.

A content editor reviews what the assistant got wrong (the review page) and sees the dashboard;
they do not see escalations, which hold patient contact details.
"""

from __future__ import annotations

from typing import Any

STAFF = "staff"
ADMIN = "admin"
CONTENT_EDITOR = "content_editor"
ROLES = (STAFF, ADMIN, CONTENT_EDITOR)

STAFF_PERMISSIONS = (
    "escalations.view_escalation",
    "escalations.work_escalation",
    "escalations.view_dashboard",
)
ADMIN_PERMISSIONS = STAFF_PERMISSIONS + (
    "escalations.view_auditentry",
    "escalations.export_audit",
    "escalations.export_opt_outs",
    "escalations.view_cannedreply",
    "escalations.add_cannedreply",
    "escalations.change_cannedreply",
    "escalations.delete_cannedreply",
    "escalations.view_reviewitem",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
)
CONTENT_EDITOR_PERMISSIONS = (
    "escalations.view_reviewitem",
    "escalations.label_reviewitem",
    "escalations.view_dashboard",
)
ROLE_PERMISSIONS = {STAFF: STAFF_PERMISSIONS, ADMIN: ADMIN_PERMISSIONS, CONTENT_EDITOR: CONTENT_EDITOR_PERMISSIONS}


def ensure_roles(**_: Any) -> None:
    """Creates or refreshes both groups; run after every migrate (permissions exist only then)."""
    from django.contrib.auth.models import Group, Permission

    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def create_user(username: str, password: str, role: str) -> Any:
    """A console account in ``role``; admins also reach the Django admin (user management)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.auth.password_validation import validate_password

    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValueError(f"user {username!r} already exists")
    user = user_model(username=username, is_staff=role == ADMIN)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user
