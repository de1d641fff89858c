"""Detail page, workflow (assign, in progress, resolve, notes) and the append-only audit log."""

import logging

import pytest
from django.db import connection
from django.urls import reverse

from staff.escalations.models import AuditEntry, AuditLogIsAppendOnly


@pytest.fixture(autouse=True)
def rasa_unreachable(monkeypatch):
    # Nothing listens on port 9 (discard); tests that need a live Rasa use test_replies.py.
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")


def test_detail_shows_contact_consent_reason_trigger_and_snapshot_in_pacific_time(staff_client, make_escalation):
    escalation = make_escalation(reason="crisis", triggering_message="I took all my pills")
    html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    for expected in ("Maria", "+19495550142", "maria@example.org", "mornings", "Crisis", "I took all my pills"):
        assert expected in html
    assert "Consent to contact</dt><dd>Yes" in html
    assert 'class="turn user"' in html and 'class="turn bot"' in html
    assert "PST" in html or "PDT" in html


def test_rasa_unreachable_shows_the_snapshot_and_says_so(staff_client, make_escalation):
    escalation = make_escalation()
    response = staff_client.get(reverse("detail", args=[escalation.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be reached" in html and "Of course. What is your first name?" in html


def test_every_view_is_audited(staff_client, staff_user, make_escalation):
    escalation = make_escalation()
    staff_client.get(reverse("detail", args=[escalation.pk]))
    staff_client.get(reverse("detail", args=[escalation.pk]))
    entries = list(AuditEntry.objects.filter(escalation=escalation))
    assert [(e.username, e.action) for e in entries] == [("nurse.kim", "viewed")] * 2
    assert all(e.at is not None for e in entries)


def test_assign_to_me_puts_it_in_progress(staff_client, staff_user, make_escalation):
    escalation = make_escalation()
    response = staff_client.post(reverse("act", args=[escalation.pk, "assign"]))
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.assigned_to == staff_user and escalation.status == "in_progress"
    assert escalation.first_action_at is not None
    assert AuditEntry.objects.filter(escalation=escalation, action="assigned").count() == 1


def test_mark_in_progress(staff_client, make_escalation):
    escalation = make_escalation()
    staff_client.post(reverse("act", args=[escalation.pk, "start"]))
    escalation.refresh_from_db()
    assert escalation.status == "in_progress" and escalation.assigned_to is None
    assert AuditEntry.objects.get(escalation=escalation, action="status").detail == "in_progress"


def test_resolve_needs_an_outcome_and_leaves_the_queue(staff_client, make_escalation):
    escalation = make_escalation(first_name="Resolvable")
    page = staff_client.post(reverse("act", args=[escalation.pk, "resolve"]), follow=True)
    assert "Choose an outcome" in page.content.decode()
    escalation.refresh_from_db()
    assert escalation.status == "new"
    response = staff_client.post(reverse("act", args=[escalation.pk, "resolve"]), {"outcome": "appointment_booked"})
    assert response["Location"] == reverse("queue")
    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome) == ("resolved", "appointment_booked")
    assert escalation.resolved_at is not None
    assert "Resolvable" not in staff_client.get(reverse("queue")).content.decode()
    assert AuditEntry.objects.get(escalation=escalation, action="resolved").detail == "appointment_booked"


@pytest.mark.parametrize("outcome", ["called_back", "appointment_booked", "referred_emergency", "no_answer"])
def test_every_outcome_is_accepted(staff_client, make_escalation, outcome):
    escalation = make_escalation()
    staff_client.post(reverse("act", args=[escalation.pk, "resolve"]), {"outcome": outcome})
    escalation.refresh_from_db()
    assert escalation.outcome == outcome


def test_notes_are_kept_shown_and_audited_but_never_logged(staff_client, make_escalation, caplog):
    escalation = make_escalation()
    with caplog.at_level(logging.INFO):
        staff_client.post(reverse("act", args=[escalation.pk, "note"]), {"text": "Left a voicemail at 10am"})
    html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert "Left a voicemail at 10am" in html
    assert AuditEntry.objects.filter(escalation=escalation, action="note").count() == 1
    assert "voicemail" not in caplog.text and "event=staff.note" in caplog.text
    assert "+19495550142" not in caplog.text and "maria@example.org" not in caplog.text


def test_an_empty_note_is_refused_with_a_message(staff_client, make_escalation):
    escalation = make_escalation()
    page = staff_client.post(reverse("act", args=[escalation.pk, "note"]), {"text": "   "}, follow=True)
    assert "cannot be empty" in page.content.decode() and not escalation.notes.exists()


def test_a_resolved_escalation_cannot_be_assigned_again(staff_client, make_escalation):
    escalation = make_escalation(status="resolved", outcome="no_answer")
    page = staff_client.post(reverse("act", args=[escalation.pk, "assign"]), follow=True)
    assert "resolved" in page.content.decode()
    escalation.refresh_from_db()
    assert escalation.assigned_to is None


def audit_entry(staff_user, make_escalation) -> AuditEntry:
    return AuditEntry.objects.create(
        user=staff_user, username=staff_user.username, action="viewed", escalation=make_escalation()
    )


def test_audit_entries_cannot_be_changed_or_deleted_through_the_model(staff_user, make_escalation):
    entry = audit_entry(staff_user, make_escalation)
    entry.detail = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_audit_entries_cannot_be_changed_or_deleted_in_the_database(staff_user, make_escalation):
    from django.db import DatabaseError, transaction

    entry = audit_entry(staff_user, make_escalation)
    for statement in ("UPDATE escalations_auditentry SET detail = 'x'", "DELETE FROM escalations_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_the_admin_cannot_edit_or_delete_audit_entries(admin_client, staff_user, make_escalation):
    entry = audit_entry(staff_user, make_escalation)
    change = f"/admin/escalations/auditentry/{entry.pk}/change/"
    delete = f"/admin/escalations/auditentry/{entry.pk}/delete/"
    assert admin_client.get(change).status_code == 200  # readable
    assert admin_client.post(change, {"detail": "rewritten"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/escalations/auditentry/add/").status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk, detail="").exists()
