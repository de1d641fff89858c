"""Workflow: reassign, unassign, reopen, bulk actions, canned replies, readable audit, id prefixes, error pages."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.directory import default_directory
from staff.escalations.audit_text import describe
from staff.escalations.canned import check_placeholders, fill
from staff.escalations.models import AuditEntry, CannedReply, Note
from staff.escalations.roles import CONTENT_EDITOR, STAFF, create_user
from tests.staff.conftest import PASSWORD


@pytest.fixture
def colleague(db):
    return create_user("nurse.maria", PASSWORD, STAFF)


def act(client, escalation, action, **data):
    return client.post(reverse("act", args=[escalation.pk, action]), data, follow=True)


def test_reassign_to_a_colleague_and_unassign_are_audited_in_words(staff_client, colleague, make_escalation):
    escalation = make_escalation()
    act(staff_client, escalation, "reassign", assignee="nurse.maria")
    escalation.refresh_from_db()
    assert escalation.assigned_to == colleague and escalation.status == "in_progress"
    act(staff_client, escalation, "unassign")
    escalation.refresh_from_db()
    assert escalation.assigned_to is None
    changes = AuditEntry.objects.filter(escalation=escalation).exclude(action="viewed").order_by("at", "id")
    words = [describe(entry) for entry in changes]
    assert words == ["nurse.kim assigned it to nurse.maria", "nurse.kim unassigned it (it was nurse.maria's)"]


def test_only_colleagues_who_work_escalations_can_be_assigned(staff_client, make_escalation):
    create_user("editor.eve", PASSWORD, CONTENT_EDITOR)
    escalation = make_escalation()
    for name in ("editor.eve", "nobody"):
        html = act(staff_client, escalation, "reassign", assignee=name).content.decode()
        assert "Choose a colleague who works escalations." in html
    escalation.refresh_from_db()
    assert escalation.assigned_to is None


def test_reopen_needs_a_reason_which_is_kept_as_a_note(staff_client, make_escalation):
    escalation = make_escalation(status="resolved", outcome="called_back", resolved_at=datetime.now(UTC))
    assert "Say why it is reopened." in act(staff_client, escalation, "reopen", reason=" ").content.decode()
    act(staff_client, escalation, "reopen", reason="Visitor called back, still in pain")
    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome, escalation.resolved_at) == ("in_progress", "", None)
    assert Note.objects.get(escalation=escalation).text == "Reopened: Visitor called back, still in pain"
    assert describe(AuditEntry.objects.get(escalation=escalation, action="reopened")) == (
        "nurse.kim reopened it (the reason is in the notes)"
    )
    again = act(staff_client, escalation, "reopen", reason="again").content.decode()
    assert "Only a resolved escalation can be reopened." in again


def test_bulk_assign_and_resolve_as_duplicate_keep_the_filters(staff_client, colleague, make_escalation):
    first, second, untouched = make_escalation(), make_escalation(), make_escalation()
    response = staff_client.post(
        reverse("bulk"),
        {"ids": [first.pk, second.pk], "action": "assign", "assignee": "nurse.maria", "filters": "reason=crisis"},
    )
    assert response["Location"] == "/?reason=crisis"
    for escalation in (first, second, untouched):
        escalation.refresh_from_db()
    assert first.assigned_to == colleague and second.assigned_to == colleague and untouched.assigned_to is None
    staff_client.post(reverse("bulk"), {"ids": [first.pk, second.pk], "action": "duplicate"})
    first.refresh_from_db()
    assert (first.status, first.outcome) == ("resolved", "duplicate")
    assert describe(AuditEntry.objects.filter(escalation=first, action="resolved").get()) == (
        "nurse.kim resolved it: duplicate of another escalation"
    )


def test_a_bulk_action_changes_all_or_nothing(staff_client, make_escalation):
    open_one = make_escalation()
    resolved = make_escalation(status="resolved", outcome="called_back")
    page = staff_client.post(
        reverse("bulk"), {"ids": [open_one.pk, resolved.pk], "action": "duplicate"}, follow=True
    ).content.decode()
    assert "Nothing was changed: This escalation is already resolved." in page
    open_one.refresh_from_db()
    assert open_one.status == "new"
    bad = staff_client.post(reverse("bulk"), {"ids": ["not-an-id"], "action": "duplicate"}, follow=True)
    assert "not an escalation id" in bad.content.decode()


def test_canned_replies_fill_placeholders_and_refuse_unknown_ones():
    directory = default_directory()
    clinic = directory.clinics[0]
    text = "Hi {visitor_name}, this is {clinic}: call {phone}."
    assert fill(text, visitor_name="Maria", clinic_id=clinic.id, directory=directory) == (
        f"Hi Maria, this is {clinic.name}: call {clinic.phone}."
    )
    assert fill(text, visitor_name="", clinic_id="", directory=directory) == (
        f"Hi, this is {directory.group_name}: call {directory.group_phone}."
    )
    with pytest.raises(ValidationError, match="visiter_name"):
        check_placeholders("Hi {visiter_name}")
    with pytest.raises(ValidationError, match="braces"):
        check_placeholders("Hi {visitor_name")


def test_staff_insert_a_canned_reply_in_the_conversation_language_first(staff_client, make_escalation):
    assert CannedReply.objects.filter(language="es").exists()  # loaded from content/canned_replies.yml
    escalation = make_escalation(first_name="Lucía", language="es")
    html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert html.index("(Spanish)</option>") < html.index("(English)</option>")
    reply = CannedReply.objects.get(title="Callback soon", language="es")
    page = staff_client.get(reverse("detail", args=[escalation.pk]), {"canned": reply.pk}).content.decode()
    assert "Hola Lucía, somos el equipo de enfermería" in page.split('id="reply-text"')[1].split("</textarea>")[0]


def test_admins_manage_canned_replies_in_the_admin_and_staff_cannot(admin_client, staff_client):
    response = admin_client.post(
        reverse("admin:escalations_cannedreply_add"),
        {"title": "Hours", "language": "en", "text": "Hi {visitor_name}, {clinic} opens at 8."},
    )
    assert response.status_code == 302 and CannedReply.objects.filter(title="Hours").exists()
    refused = admin_client.post(
        reverse("admin:escalations_cannedreply_add"), {"title": "Typo", "language": "en", "text": "Hi {name}"}
    )
    assert "Unknown placeholder name" in refused.content.decode()
    assert staff_client.get(reverse("admin:escalations_cannedreply_changelist")).status_code == 302


def test_reply_audit_reads_in_words(make_escalation, staff_user):
    escalation = make_escalation()
    entry = AuditEntry.objects.create(
        user=staff_user, username="nurse.kim", action="reply", escalation=escalation, detail="reply 5 sent"
    )
    assert describe(entry) == "Reply by nurse.kim sent by SMS"
    entry = AuditEntry.objects.create(
        user=staff_user, username="nurse.kim", action="resolved", escalation=escalation, detail="referred_emergency"
    )
    assert describe(entry) == "nurse.kim resolved it: referred to emergency services"


def test_audit_filters_by_user_action_date_and_id_prefix(admin_client, staff_client, make_escalation):
    first, second = make_escalation(), make_escalation()
    staff_client.get(reverse("detail", args=[first.pk]))
    act(staff_client, second, "assign")
    admin_client.get(reverse("detail", args=[second.pk]))
    today = datetime.now(UTC).date().isoformat()

    def listed(**params):
        html = admin_client.get(reverse("audit"), params).content.decode()
        return html[html.index("<tbody>") : html.index("</tbody>")]

    assert "nurse.kim took it" in listed(user="nurse.kim", action="assigned")
    assert "lead.ana" not in listed(user="nurse.kim")
    assert "read the transcript" not in listed(action="assigned")
    assert "No entries." in listed(since=(datetime.now(UTC) + timedelta(days=2)).date().isoformat())
    assert "nurse.kim took it" in listed(since=today, until=today)
    by_prefix = listed(escalation=str(second.pk)[:8])
    assert "nurse.kim took it" in by_prefix and str(first.pk)[:8] not in by_prefix


def test_an_ambiguous_or_unknown_prefix_is_explained(admin_client, make_escalation):
    make_escalation(id=uuid.UUID("abcdef12-0000-4000-8000-000000000001"))
    make_escalation(id=uuid.UUID("abcdef12-0000-4000-8000-000000000002"))
    html = admin_client.get(reverse("audit"), {"escalation": "abcdef12"}).content.decode()
    assert "2 escalations have an id starting with abcdef12: type more of the id" in html
    assert (
        "No escalation has an id starting with 12345678."
        in admin_client.get(reverse("audit"), {"escalation": "12345678"}).content.decode()
    )
    assert "is not an escalation id" in admin_client.get(reverse("audit"), {"escalation": "Maria"}).content.decode()


def test_an_id_prefix_opens_the_escalation(staff_client, make_escalation):
    escalation = make_escalation()
    response = staff_client.get(f"/escalations/{str(escalation.pk)[:8]}/")
    assert response.status_code == 302 and response["Location"] == f"/escalations/{escalation.pk}/"
    missing = staff_client.get("/escalations/00000000/")
    assert missing.status_code == 404 and "No escalation has an id starting with 00000000." in missing.content.decode()


def test_audit_csv_export_is_for_admins_and_in_words(admin_client, staff_client, make_escalation):
    escalation = make_escalation()
    act(staff_client, escalation, "assign")
    response = admin_client.get(reverse("audit_export"), {"action": "assigned"})
    assert response["Content-Type"].startswith("text/csv") and response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["at_utc", "user", "action", "escalation_id", "detail", "in_words"]
    assert rows[1][1:] == ["nurse.kim", "assigned", str(escalation.pk), "to nurse.kim", "nurse.kim took it"]
    assert staff_client.get(reverse("audit_export")).status_code == 403


def test_403_page_is_styled_and_explains_why(staff_client):
    response = staff_client.get(reverse("audit"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "The audit log is for admins" in html and "signed in as <strong>nurse.kim</strong>" in html
    assert "console.css" in html and "Forbidden" not in html


def test_404_page_is_styled_and_explains_why(staff_client):
    response = staff_client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404 and "console.css" in html
    assert "There is no page or escalation at this address" in html


def test_admin_does_not_ask_a_signed_in_account_to_sign_in_again(admin_client, staff_client):
    from django.test import Client

    assert admin_client.get("/admin/login/?next=/admin/auth/user/")["Location"] == "/admin/auth/user/"
    assert admin_client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"
    refused = staff_client.get("/admin/", follow=True)
    html = refused.content.decode()
    assert refused.status_code == 403 and "You are signed in as nurse.kim" in html and 'name="password"' not in html
    assert 'name="password"' in Client().get("/admin/login/").content.decode()
