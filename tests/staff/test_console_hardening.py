"""Pages with patient data are not cached and carry a CSP; links from visitor input; the admin's limits."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from clinic.contact import mailto_href, normalise_email
from staff.escalations.roles import ADMIN, create_user
from tests.staff.conftest import PASSWORD


def test_every_console_page_is_no_store_with_a_strict_csp(admin_client, make_escalation):
    escalation = make_escalation()
    pages = [
        admin_client.get(reverse("queue")),
        admin_client.post(reverse("queue"), {"q": "Maria"}, follow=True),
        admin_client.get(reverse("detail", args=[escalation.pk])),
        admin_client.get(reverse("dashboard")),
        admin_client.get(reverse("audit")),
        admin_client.get(reverse("mfa_setup")),
        admin_client.get("/admin/"),
        Client().get(reverse("login")),
    ]
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert response["Cache-Control"] == "no-store"
        policy = response["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_console_pages_need_no_inline_script_or_style(admin_client, make_escalation):
    """What the CSP would block: no inline <script> (only static files), no <style> element, no style attribute."""
    escalation = make_escalation()
    pages = (reverse("queue"), reverse("detail", args=[escalation.pk]), reverse("dashboard"), reverse("mfa_setup"))
    for url in (*pages, reverse("review"), reverse("audit")):
        html = admin_client.get(url).content.decode()
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
        assert all(' src="/static/' in attributes and not body.strip() for attributes, body in scripts), url
        assert html.count("<script") == len(scripts), url
        assert "<style" not in html and " style=" not in html, url


@pytest.mark.parametrize(
    "typed", ["x?bcc=thief@example.net", "x&cc=a@example.net", "x%3Fbcc@example.net", "a=b@example.net", "@example.net"]
)
def test_an_address_that_could_carry_link_fields_is_not_taken_or_linked(typed):
    assert normalise_email(typed) is None and mailto_href(typed) == ""


@pytest.mark.parametrize("typed", ["maria@example.org", "o'brien@example.org", "j.doe+clinic@mail.example.org"])
def test_plain_addresses_are_taken_and_linked_encoded(typed):
    assert normalise_email(f"it's {typed} thanks") == typed
    href = mailto_href(typed)
    assert href.startswith("mailto:") and "?" not in href and "'" not in href


def test_a_crafted_email_never_becomes_a_mailto_link_with_extra_fields(staff_client, make_escalation):
    crafted = make_escalation(contact_email="x?bcc=thief@example.net")
    html = staff_client.get(reverse("detail", args=[crafted.pk])).content.decode()
    assert "mailto:" not in html and "x?bcc=thief@example.net" in html  # shown, as text only
    plain = make_escalation(contact_email="maria.l+clinic@example.org")
    assert (
        'href="mailto:maria.l+clinic@example.org"'
        in staff_client.get(reverse("detail", args=[plain.pk])).content.decode()
    )


def test_a_crafted_phone_never_becomes_a_tel_link(staff_client, make_escalation):
    crafted = make_escalation(contact_phone="+1949?call=x")
    html = staff_client.get(reverse("detail", args=[crafted.pk])).content.decode()
    assert "tel:+1949?" not in html


@pytest.mark.parametrize(
    "url", ["/admin/escalations/escalation/", "/admin/escalations/note/", "/admin/escalations/staffreply/"]
)
def test_patient_records_are_not_in_the_admin_even_for_a_superuser(db, url):
    superuser = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(superuser)
    assert client.get(url).status_code == 404
    assert "escalations/escalation" not in client.get("/admin/").content.decode()


def change_form(user, **overrides) -> dict:
    """A complete, valid change form for ``user`` as the admin posts it."""
    data = {
        "username": user.username,
        "is_active": "on",
        "groups": [str(group.pk) for group in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "first_name": "",
        "last_name": "",
        "email": "",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(overrides)
    return data


def escalation_fields() -> dict:
    return {
        "is_superuser": "on",
        "user_permissions": [str(Permission.objects.get(codename="delete_user").pk)],
    }


def test_an_admin_cannot_make_anyone_a_superuser_or_grant_single_permissions(admin_client, admin_user, staff_user):
    for user in (admin_user, staff_user):
        url = f"/admin/auth/user/{user.pk}/change/"
        form = admin_client.get(url).content.decode()
        assert 'name="is_superuser"' not in form and 'name="user_permissions"' not in form
        saved = admin_client.post(url, change_form(user, **escalation_fields()))
        assert saved.status_code == 302, saved.content.decode()[:2000]  # the form was valid and saved...
        user.refresh_from_db()
        assert not user.is_superuser and not user.user_permissions.exists()  # ...without those fields


def test_a_superuser_can_still_grant_them(db, staff_user):
    superuser = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(superuser)
    saved = client.post(f"/admin/auth/user/{staff_user.pk}/change/", change_form(staff_user, **escalation_fields()))
    assert saved.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.is_superuser and staff_user.user_permissions.exists()


def new_password_form() -> dict:
    return {"password1": "a-new-long-secret-81", "password2": "a-new-long-secret-81", "usable_password": "true"}


def test_an_admin_cannot_reset_another_admins_or_a_superusers_password(admin_client, db):
    other_admin = create_user("lead.bo", PASSWORD, ADMIN)
    superuser = get_user_model().objects.create_superuser("root", password=PASSWORD)
    for target in (other_admin, superuser):
        url = f"/admin/auth/user/{target.pk}/password/"
        assert admin_client.get(url).status_code == 403
        assert admin_client.post(url, new_password_form()).status_code == 403
        target.refresh_from_db()
        assert target.check_password(PASSWORD)
        # Nor change the account in other ways (deactivate it, drop its role).
        assert admin_client.post(f"/admin/auth/user/{target.pk}/change/", change_form(target)).status_code == 403


def test_an_admin_still_resets_a_staff_members_password(admin_client, staff_user):
    response = admin_client.post(f"/admin/auth/user/{staff_user.pk}/password/", new_password_form())
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password("a-new-long-secret-81")


def test_a_superuser_resets_an_admins_password(db):
    other_admin = create_user("lead.bo", PASSWORD, ADMIN)
    superuser = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(superuser)
    assert client.post(f"/admin/auth/user/{other_admin.pk}/password/", new_password_form()).status_code == 302
    other_admin.refresh_from_db()
    assert other_admin.check_password("a-new-long-secret-81")
