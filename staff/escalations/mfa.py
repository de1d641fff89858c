"""Two-factor sign-in with django-otp: one TOTP authenticator per account, and single-use recovery codes.

An account enrols by scanning a QR code (or typing the secret) into an authenticator app and
proving it with a first code; it then gets ten recovery codes (django-otp's static device),
each good once, for when the phone is lost. With STAFF_REQUIRE_MFA on (the production
default) every account must enrol; an account that enrolled is always asked for a code.
Wrong codes slow the device down (django-otp's throttling: 1, 2, 4 … seconds).
"""

from __future__ import annotations

import logging
import re
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp import verify_token as otp_verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)
RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
TOTP_SHAPE = re.compile(r"\d{6}")


def is_required(user: Any) -> bool:
    """Whether this signed-in account must pass the second factor before any console page."""
    return settings.STAFF_REQUIRE_MFA or user_has_device(user, confirmed=True)


def has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user: Any) -> TOTPDevice:
    """The authenticator being set up: unconfirmed until its first code is entered."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code (no inline style, so the CSP allows it)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code for your authenticator app")


def _clean(token: str) -> str:
    return "".join(str(token).split()).lower()


def confirm_authenticator(user: Any, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms the pending authenticator with its first code; returns new recovery codes, or None.

    The new authenticator replaces any earlier one, and the recovery codes are renewed with it.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not TOTP_SHAPE.fullmatch(_clean(token)) or not device.verify_token(_clean(token)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
    logger.info("event=staff.mfa_enrolled user_id=%s", user.pk)
    return codes


def new_recovery_codes(user: Any) -> list[str]:
    """Ten fresh single-use codes; every earlier code stops working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(user: Any, token: str) -> Device | None:
    """The device that accepts ``token``: a six-digit code goes to the authenticator, anything
    else to the recovery codes (a used recovery code is deleted). None when none accepts it."""
    token = _clean(token)
    if not token:
        return None
    wanted = TOTPDevice if TOTP_SHAPE.fullmatch(token) else StaticDevice
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, wanted):
            verified = otp_verify_token(user, device.persistent_id, token)
            if verified is not None:
                return verified
    return None
