"""The Django admin (admins only): accounts, canned replies, and the audit log read-only.

Escalations, notes and replies hold patient data and are not in the admin at all: they are
read only through the console, where every view is audited. Account management is limited
for admins who are not superusers: they cannot grant superuser status or single
permissions (roles are groups), and cannot change another admin's or a superuser's account
or password.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from staff.escalations.canned import PLACEHOLDERS
from staff.escalations.models import AuditEntry, CannedReply

# Only a superuser may change these on any account.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "action", "escalation_id", "detail")
    list_filter = ("action",)


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "text")
    list_filter = ("language",)
    search_fields = ("title", "text")

    def get_form(self, request, obj=None, **kwargs):
        placeholders = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        kwargs["help_texts"] = {"text": f"Placeholders filled from the escalation: {placeholders}."}
        return super().get_form(request, obj, **kwargs)


class ConsoleUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else readonly + SUPERUSER_ONLY_FIELDS

    def has_change_permission(self, request, obj: Any = None) -> bool:
        """Not on a superuser's or another admin's account (their password included), unless a superuser."""
        if obj is not None and not request.user.is_superuser:
            if obj.is_superuser or (obj.is_staff and obj.pk != request.user.pk):
                return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), ConsoleUserAdmin)
