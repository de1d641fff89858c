"""The escalation record (shared by the action server and the staff console) and the console's work on it."""

import uuid

from django.conf import settings
from django.db import models


class Reason(models.TextChoices):
    # Short labels: the queue's reason filter must fit a 320 px screen.
    CRISIS = "crisis", "Crisis: suicide"  # suicide or self-harm
    OVERDOSE = "overdose", "Crisis: overdose"  # overdose or poisoning
    MEDICAL_EMERGENCY = "medical_emergency", "Crisis: emergency"  # a medical emergency now
    OTHER_IN_DANGER = "other_in_danger", "Crisis: someone else"  # someone else in danger
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


class Outcome(models.TextChoices):
    CALLED_BACK = "called_back", "Called back"
    APPOINTMENT_BOOKED = "appointment_booked", "Appointment booked"
    REFERRED_EMERGENCY = "referred_emergency", "Referred to emergency services"
    NO_ANSWER = "no_answer", "No answer"


CHANNEL_LABELS = {"socketio": "Web chat", "sms": "SMS", "rest": "REST API"}


# The conversation languages the assistant speaks, as staff read them.
LANGUAGE_LABELS = {"en": "English", "es": "Spanish (español)"}


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
    # The directory id of the clinic the conversation was about, when it named one.
    clinic = models.CharField(max_length=60, blank=True, db_index=True)
    first_name = models.CharField(max_length=100, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    contact_email = models.CharField(max_length=254, blank=True)
    best_time = models.CharField(max_length=200, blank=True)
    consent = models.BooleanField(default=False)
    # The conversation's language when the escalation was made ("en" or "es").
    language = models.CharField(max_length=5, default="en", db_index=True)
    needs_spanish_speaker = models.BooleanField(default=False)
    triggering_message = models.TextField(blank=True)
    transcript = models.JSONField(default=list)
    notified_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations"
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    # The first change a staff member made (assign, status, note or reply): the response time.
    first_action_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "priority", "created_at"])]
        permissions = [
            ("work_escalation", "Can assign, annotate, reply to and resolve escalations"),
            ("view_dashboard", "Can see the dashboard"),
            ("export_opt_outs", "Can export the SMS opt-out report"),
        ]

    @property
    def language_label(self) -> str:
        return LANGUAGE_LABELS.get(self.language, self.language or "Unknown")

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.priority}) {self.created_at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    """An internal note: seen by staff only, never sent to the visitor."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]


class Delivery(models.TextChoices):
    SENT = "sent", "Sent by SMS"
    DELIVERED = "delivered", "Delivered to the open chat"
    NOT_CONNECTED = "not_connected", "Visitor not connected"
    FAILED = "failed", "Sending failed"
    OPTED_OUT = "opted_out", "Number opted out of SMS"
    NO_NUMBER = "no_number", "No phone number to text"
    # Quiet hours: held for 8 am in the recipient's time zone, sent by the console's sender loop.
    SCHEDULED = "scheduled", "Scheduled for 8 am"
    SENDING = "sending", "Being sent"
    CANCELLED = "cancelled", "Cancelled before sending"


class StaffReply(models.Model):
    """A message a staff member wrote to the visitor, and what became of it."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    # Whether the reply was appended to the conversation in Rasa's tracker.
    in_tracker = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # A reply held for quiet hours goes out at send_at; sent_at is when it actually went.
    send_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why staff sent it during the recipient's quiet hours (also in the audit log).
    quiet_hours_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]


class AuditLogIsAppendOnly(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed transcript"
    ASSIGNED = "assigned", "Assigned"
    STATUS = "status", "Changed status"
    RESOLVED = "resolved", "Resolved"
    NOTE = "note", "Added note"
    REPLY = "reply", "Replied"
    REPLY_CANCELLED = "reply_cancelled", "Cancelled a scheduled reply"


class AuditEntry(models.Model):
    """Who did what to which escalation, when. Append-only here and in the database (triggers)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Kept beside the key so the entry reads the same if the account is renamed.
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="audit")
    # Never personal data: status names, outcome codes, delivery results.
    detail = models.CharField(max_length=200, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.escalation_id}"


class LoginCounter(models.Model):
    """Sign-in failures of one account or one address (see throttle.py); the key is a hash."""

    key = models.CharField(max_length=80, primary_key=True)
    failures = models.IntegerField(default=0)
    # Unix times: the account's window starts at its first failure; the address's delay runs
    # from its last failure.
    window_started = models.FloatField()
    last_failure = models.FloatField(default=0.0)
