"""Two-factor sign-in: enrolment with a real authenticator secret, codes computed here as an app would.

The codes come from django_otp.oath.totp on the secret the enrolment page hands out, the
same computation an authenticator app makes.
"""

import importlib
import re
from base64 import b32decode

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.staff.conftest import PASSWORD


@pytest.fixture
def mfa_required(db):
    with override_settings(STAFF_REQUIRE_MFA=True):
        yield


def sign_in(client: Client, username: str = "nurse.kim"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return response


def secret_from(page_html: str) -> bytes:
    """The key as a person would type it from the enrolment page."""
    typed = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page_html).group(1)
    return b32decode(typed.replace(" ", ""))


def code(key: bytes, steps_ahead: int = 0) -> str:
    """The six digits an authenticator app shows now (or ``steps_ahead`` 30-second steps later)."""
    return f"{totp(key, drift=steps_ahead):06d}"


def enrol(client: Client) -> tuple[bytes, list[str]]:
    page = client.get(reverse("mfa_setup")).content.decode()
    key = secret_from(page)
    done = client.post(reverse("mfa_setup"), {"code": code(key)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    return key, codes


def patient_pages(escalation_id) -> list[str]:
    return [
        reverse("queue"),
        reverse("detail", args=[escalation_id]),
        reverse("dashboard"),
        reverse("audit"),
        "/admin/",
        "/admin/auth/user/",
    ]


def test_with_mfa_required_a_password_alone_opens_nothing(client, admin_user, make_escalation, mfa_required):
    escalation = make_escalation()
    sign_in(client, "lead.ana")
    for url in patient_pages(escalation.pk):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_setup")), url
    posted = client.post(reverse("act", args=[escalation.pk, "note"]), {"text": "sneaky"})
    assert posted.status_code == 302 and not escalation.notes.exists()
    assert not escalation.audit.exists()  # not even a transcript view happened
    assert 'aria-label="Main"' not in client.get(reverse("mfa_setup")).content.decode()  # no console links yet


def test_enrolment_shows_a_qr_code_the_uri_and_the_secret_then_gives_ten_recovery_codes(
    client, staff_user, mfa_required
):
    sign_in(client)
    page = client.get(reverse("mfa_setup")).content.decode()
    assert "<svg" in page and "otpauth://totp/" in page
    key = secret_from(page)
    uri = re.search(r"otpauth://totp/[^<\s]+", page).group(0)
    assert "secret=" in uri and "issuer=" in uri
    wrong = client.post(reverse("mfa_setup"), {"code": f"{(int(code(key)) + 1) % 1000000:06d}"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    TOTPDevice.objects.filter(user=staff_user).update(throttling_failure_count=0)  # the 1 s back-off has passed
    done = client.post(reverse("mfa_setup"), {"code": code(key)})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert done.status_code == 200 and len(set(codes)) == 10
    assert client.get(reverse("queue")).status_code == 200


def test_a_later_sign_in_needs_a_fresh_code_and_refuses_wrong_and_replayed_ones(staff_user, mfa_required):
    enrolling = Client()
    sign_in(enrolling)
    key, _ = enrol(enrolling)

    client = Client()
    sign_in(client)
    assert client.get(reverse("queue"))["Location"].startswith(reverse("mfa_verify"))
    # An account that has an authenticator cannot enrol another one with the password alone.
    assert client.get(reverse("mfa_setup"))["Location"] == reverse("mfa_verify")
    assert (
        client.post(reverse("mfa_verify"), {"code": "000000" if code(key, 1) != "000000" else "111111"}).status_code
        == 401
    )
    TOTPDevice.objects.filter(user=staff_user).update(throttling_failure_count=0)  # the 1 s back-off has passed
    # The enrolment's code is spent (each code works once); the app's next one works.
    spent = TOTPDevice.objects.get(user=staff_user).last_t
    assert client.post(reverse("mfa_verify"), {"code": f"{hotp(key, spent):06d}"}).status_code == 401
    TOTPDevice.objects.filter(user=staff_user).update(throttling_failure_count=0)
    verified = client.post(reverse("mfa_verify") + "?next=/dashboard/", {"code": code(key, 1)})
    assert verified.status_code == 302 and verified["Location"] == "/dashboard/"
    assert client.get(reverse("queue")).status_code == 200


def test_wrong_codes_slow_the_authenticator_down(staff_user, mfa_required):
    enrolling = Client()
    sign_in(enrolling)
    key, _ = enrol(enrolling)
    client = Client()
    sign_in(client)
    client.post(reverse("mfa_verify"), {"code": "000000" if code(key, 1) != "000000" else "111111"})
    # Right after a wrong code even the right one is refused (django-otp's back-off).
    assert client.post(reverse("mfa_verify"), {"code": code(key, 1)}).status_code == 401


def test_each_recovery_code_signs_in_once(staff_user, mfa_required):
    enrolling = Client()
    sign_in(enrolling)
    _, codes = enrol(enrolling)
    first = Client()
    sign_in(first)
    assert first.post(reverse("mfa_verify"), {"code": codes[0].upper()}).status_code == 302
    assert first.get(reverse("queue")).status_code == 200
    second = Client()
    sign_in(second)
    assert second.post(reverse("mfa_verify"), {"code": codes[0]}).status_code == 401
    StaticDevice.objects.filter(user=staff_user).update(throttling_failure_count=0)  # the back-off has passed
    assert second.post(reverse("mfa_verify"), {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(staff_user, mfa_required):
    client = Client()
    sign_in(client)
    _, old_codes = enrol(client)
    renewed = client.post(reverse("mfa_recovery_codes"))
    new_codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", renewed.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    later = Client()
    sign_in(later)
    assert later.post(reverse("mfa_verify"), {"code": old_codes[0]}).status_code == 401


def test_an_enrolled_account_is_asked_for_its_code_even_where_mfa_is_optional(staff_user, db):
    enrolling = Client()
    sign_in(enrolling)
    enrol(enrolling)  # optional here, but the account chose it
    client = Client()
    sign_in(client)
    assert client.get(reverse("queue"))["Location"].startswith(reverse("mfa_verify"))


def test_without_the_setting_an_account_without_a_device_signs_in_with_its_password(client, staff_user):
    sign_in(client)
    assert client.get(reverse("queue")).status_code == 200


def test_production_mode_requires_mfa_by_default(monkeypatch):
    import staff.settings

    try:
        monkeypatch.setenv("CLINIC_MODE", "production")
        assert importlib.reload(staff.settings).STAFF_REQUIRE_MFA
        monkeypatch.setenv("STAFF_REQUIRE_MFA", "0")
        assert not importlib.reload(staff.settings).STAFF_REQUIRE_MFA
        monkeypatch.delenv("CLINIC_MODE")
        monkeypatch.delenv("STAFF_REQUIRE_MFA")
        assert not importlib.reload(staff.settings).STAFF_REQUIRE_MFA
    finally:
        monkeypatch.undo()
        importlib.reload(staff.settings)
