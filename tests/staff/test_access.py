"""Who may open what: anonymous users, the two roles, CSRF, sessions, cookies, URLs without personal data."""

import re
import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.staff.conftest import PASSWORD

ANY_ID = uuid.uuid4()


def every_page(escalation_id) -> list[tuple[str, str]]:
    pages = [
        ("get", reverse("queue")),
        ("post", reverse("queue")),
        ("get", reverse("detail", args=[escalation_id])),
        ("get", reverse("dashboard")),
        ("get", reverse("audit")),
        ("get", reverse("audit_export")),
        ("get", reverse("review")),
        ("post", reverse("review_label")),
        ("post", reverse("bulk")),
        ("get", reverse("opt_out_report")),
        ("get", "/admin/"),
        ("get", "/admin/escalations/auditentry/"),
    ]
    actions = ("assign", "start", "resolve", "note", "reply", "cancel-reply", "reassign", "unassign", "reopen", "flag")
    for action in actions:
        pages.append(("post", reverse("act", args=[escalation_id, action])))
    return pages


def test_every_page_refuses_an_anonymous_user(client, make_escalation):
    escalation = make_escalation()
    for method, url in every_page(escalation.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert "/login/" in response["Location"], (method, url)
    escalation.refresh_from_db()
    assert escalation.status == "new" and escalation.assigned_to is None
    assert not escalation.audit.exists()


def test_an_account_without_a_role_is_refused(client, make_escalation, db):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("no-role", password=PASSWORD)
    client.force_login(nobody)
    escalation = make_escalation()
    for method, url in every_page(escalation.pk):
        if url.startswith("/admin/"):
            continue
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_staff_work_escalations_but_cannot_read_the_audit_log_or_admin(staff_client, make_escalation):
    escalation = make_escalation()
    assert staff_client.get(reverse("queue")).status_code == 200
    assert staff_client.get(reverse("detail", args=[escalation.pk])).status_code == 200
    assert staff_client.get(reverse("dashboard")).status_code == 200
    assert staff_client.get(reverse("audit")).status_code == 403
    assert staff_client.get("/admin/").status_code == 302  # the admin site is for admins only


def test_admins_read_the_audit_log_and_the_admin(admin_client, make_escalation):
    escalation = make_escalation()
    admin_client.get(reverse("detail", args=[escalation.pk]))
    audit = admin_client.get(reverse("audit"))
    assert audit.status_code == 200 and "Viewed transcript" in audit.content.decode()
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/auth/user/").status_code == 200


def test_unknown_escalation_and_unknown_action_are_404_not_500(staff_client, make_escalation):
    assert staff_client.get(reverse("detail", args=[uuid.uuid4()])).status_code == 404
    assert staff_client.get("/escalations/not-a-uuid/").status_code == 404
    escalation = make_escalation()
    assert staff_client.post(reverse("act", args=[escalation.pk, "delete"])).status_code == 404


def test_posts_without_a_csrf_token_are_refused(staff_user, make_escalation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    escalation = make_escalation()
    response = client.post(reverse("act", args=[escalation.pk, "note"]), {"text": "called, no answer"})
    assert response.status_code == 403
    assert not escalation.notes.exists()


def test_login_sets_http_only_strict_session_cookie(client, staff_user):
    response = client.post(reverse("login"), {"username": "nurse.kim", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"


def test_secure_cookie_setting_comes_from_the_environment(monkeypatch):
    import importlib

    import staff.settings

    monkeypatch.setenv("STAFF_SECURE_COOKIES", "1")
    try:
        reloaded = importlib.reload(staff.settings)
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
        monkeypatch.setenv("STAFF_SECURE_COOKIES", "0")
        assert not importlib.reload(staff.settings).SESSION_COOKIE_SECURE
    finally:
        monkeypatch.delenv("STAFF_SECURE_COOKIES")
        importlib.reload(staff.settings)


def test_an_idle_session_expires(client, staff_user):
    client.post(reverse("login"), {"username": "nurse.kim", "password": PASSWORD})
    assert client.get(reverse("queue")).status_code == 200
    assert client.session.get_expiry_age() == 30 * 60  # STAFF_SESSION_MINUTES' default, renewed per request
    session = client.session
    session.set_expiry(1)
    session.save()
    time.sleep(1.2)
    response = client.get(reverse("queue"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_no_personal_data_in_any_link(staff_client, make_escalation):
    escalation = make_escalation(first_name="Rosalind", contact_email="rosalind@example.org")
    pages = [reverse("queue"), reverse("detail", args=[escalation.pk]), reverse("dashboard")]
    for url in pages:
        html = staff_client.get(url).content.decode()
        for href in re.findall(r'(?:href|action)="([^"]*)"', html):
            if href.startswith(("tel:", "mailto:")):
                continue
            assert "Rosalind" not in href and "rosalind" not in href and "5550142" not in href, href


@pytest.mark.parametrize("params", [{"q": "Maria"}, {"q": "+19495550142"}])
def test_search_terms_in_the_url_are_ignored(staff_client, make_escalation, params):
    make_escalation(first_name="Maria")
    make_escalation(first_name="Jon", contact_phone="+17145550100", contact_email="jon@example.org")
    html = staff_client.get(reverse("queue"), params).content.decode()
    assert "Maria" in html and "Jon" in html  # not filtered: search is only read from the POSTed form


def test_sign_out_needs_a_post_and_ends_the_session(staff_client):
    assert staff_client.get(reverse("logout")).status_code == 405
    assert staff_client.post(reverse("logout")).status_code == 302
    assert staff_client.get(reverse("queue")).status_code == 302
