"""The Django admin (admins only): read-only views of the records; changes go through the console."""

from django.contrib import admin

from staff.escalations.models import AuditEntry, Escalation, Note, StaffReply


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "reason", "priority", "status", "channel", "assigned_to", "outcome")
    list_filter = ("status", "reason", "priority", "channel")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "action", "escalation_id", "detail")
    list_filter = ("action",)


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "author", "escalation_id")


@admin.register(StaffReply)
class StaffReplyAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "author", "escalation_id", "delivery", "in_tracker")
