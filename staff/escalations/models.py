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
    DUPLICATE = "duplicate", "Duplicate of another escalation"


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
    # A Spanish conversation, or a visitor who asked for someone who speaks Spanish.
    needs_spanish_speaker = models.BooleanField(default=False)
    triggering_message = models.TextField(blank=True)
    transcript = models.JSONField(default=list)
    # The conversation's language (the tracker's ``language`` slot) when it was recorded; None before.
    language = models.CharField(max_length=10, null=True, blank=True)
    # What was said (triggering message and transcript turns), normalised for the queue's search
    # (see search.py); kept in step by save() and emptied with the transcript by retention.
    search_text = models.TextField(blank=True, default="")
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
            ("export_audit", "Can export the audit log as CSV"),
        ]

    @property
    def language_label(self) -> str:
        return LANGUAGE_LABELS.get(self.language, self.language or "Unknown")

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)

    def save(self, *args, **kwargs):
        from staff.escalations.search import searchable_text

        self.search_text = searchable_text(self.triggering_message, self.transcript)
        if kwargs.get("update_fields") is not None and {"triggering_message", "transcript"} & set(
            kwargs["update_fields"]
        ):
            kwargs["update_fields"] = [*kwargs["update_fields"], "search_text"]
        super().save(*args, **kwargs)

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
    SENT = "sent", "Sent by SMS (accepted by Twilio)"
    # Web chat, as the visitor's own tabs acknowledged it (channels/socketio.py).
    SHOWN = "shown", "Shown in the visitor's open chat panel"
    DELIVERED = "delivered", "Delivered; the chat panel is closed (the launcher shows a badge)"
    NOT_CONNECTED = "not_connected", "Queued until the visitor reconnects"
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


class StaffProfile(models.Model):
    """How a staff member appears to visitors in staff mode: "<display name>, <role> from <clinic>"."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    display_name = models.CharField(max_length=60, blank=True)
    role = models.CharField(max_length=60, blank=True)  # e.g. "nurse", "front desk"

    def __str__(self) -> str:
        return f"{self.display_name or self.user.get_username()}, {self.role or 'staff'}"


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
    UNASSIGNED = "unassigned", "Unassigned"
    REOPENED = "reopened", "Reopened"
    FLAGGED = "flagged", "Flagged a message for review"
    JOINED = "joined", "Joined the conversation"
    RETURNED = "returned", "Returned the conversation to the assistant"


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


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


class CannedReply(models.Model):
    """A prepared reply staff insert into the reply form; admins manage them in the Django admin.

    ``text`` may hold the placeholders of canned.PLACEHOLDERS, filled from the escalation.
    """

    title = models.CharField(max_length=80)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    text = models.TextField(max_length=1000)

    class Meta:
        ordering = ["language", "title"]
        verbose_name_plural = "canned replies"
        constraints = [models.UniqueConstraint(fields=["language", "title"], name="canned_reply_title_per_language")]

    def clean(self) -> None:
        from staff.escalations.canned import check_placeholders

        check_placeholders(self.text)

    def __str__(self) -> str:
        return f"{self.title} ({self.get_language_display()})"


class ReviewKind(models.TextChoices):
    FALLBACK = "fallback", "Not understood (fallback)"
    LOW_CONFIDENCE = "low_confidence", "Answered with low confidence"
    THUMBS_DOWN = "thumbs_down", "Rated not helpful"
    FLAGGED = "flagged", "Flagged by staff"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "To review"
    LABELLED = "labelled", "Labelled with an intent"
    NEW_TOPIC = "new_topic", "New topic needed"
    OUT_OF_SCOPE = "out_of_scope", "Out of scope"
    DISMISSED = "dismissed", "Dismissed"


class ReviewItem(models.Model):
    """A visitor message the assistant may have got wrong, collected from the tracker store (review.py).

    Only the redacted text is kept (phone numbers, e-mails and names replaced); it reaches
    training data only once a content editor has labelled it with an intent.
    """

    # The tracker event it came from (sender and event id), or the flagged turn: collected once.
    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    conversation_id = models.CharField(max_length=200, db_index=True)
    at = models.DateTimeField(db_index=True)
    text = models.TextField()
    language = models.CharField(max_length=10, blank=True)
    predicted_intent = models.CharField(max_length=100, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN, db_index=True)
    intent = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=500, blank=True)
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    labelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        permissions = [("label_reviewitem", "Can label questions to review")]


class ReviewCursor(models.Model):
    """How far the collector has read the tracker's events table (its highest event id)."""

    name = models.CharField(max_length=40, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
