"""The escalation record: the one schema shared by the action server and the staff console."""

import uuid

from django.db import models


class Reason(models.TextChoices):
    CRISIS = "crisis", "Crisis"
    MEDICAL_ADVICE = "medical_advice", "Personal medical question"
    REQUEST_HUMAN = "request_human", "Asked for a person"
    APPOINTMENT = "appointment", "Appointment"
    FALLBACK = "fallback", "Bot could not help"


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    NORMAL = "normal", "Normal"


class Status(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"


class Escalation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Derived from the conversation and the triggering message, so a retried action
    # finds the record it already wrote instead of adding a second one.
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=40)
    conversation_id = models.CharField(max_length=200, db_index=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    first_name = models.CharField(max_length=100, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    contact_email = models.CharField(max_length=254, blank=True)
    best_time = models.CharField(max_length=200, blank=True)
    consent = models.BooleanField(default=False)
    triggering_message = models.TextField(blank=True)
    transcript = models.JSONField(default=list)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "priority", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.priority}) {self.created_at:%Y-%m-%d %H:%M}"
