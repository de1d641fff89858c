"""Signing in: the throttled password step, then the second factor (verify, or enrol first)."""

from __future__ import annotations

import logging

import django_otp
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.models import Device

from staff.escalations import mfa
from staff.escalations.throttle import LoginThrottle, ThrottlePolicy, client_address

logger = logging.getLogger(__name__)


def _wait_text(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second(s)"
    return f"{round(seconds / 60)} minute(s)"


def login_view(request: HttpRequest) -> HttpResponse:
    throttle = LoginThrottle(ThrottlePolicy.from_env())
    form = AuthenticationForm(request, data=request.POST or None)
    status, refusal = 200, ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        address = client_address(request.META, settings.STAFF_TRUSTED_PROXIES)
        wait = throttle.begin(username, address)
        if wait:
            logger.warning("event=staff.login_throttled")
            form = AuthenticationForm(request)
            refusal = f"Too many failed attempts. Try again in about {_wait_text(wait)}."
            status = 429
        elif form.is_valid():
            throttle.succeeded(username, address)
            login(request, form.get_user())
            logger.info("event=staff.login user_id=%s", form.get_user().pk)
            # The second-factor gate (middleware) sends the account on to verify or enrol.
            return redirect(_next_or_queue(request))
        else:
            logger.warning("event=staff.login_failed")
            status = 401
    return render(request, "escalations/login.html", {"form": form, "refusal": refusal}, status=status)


def _next_or_queue(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    safe = bool(target) and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if safe else reverse("queue")


def _passed(request: HttpRequest, device: Device) -> None:
    django_otp.login(request, device)
    # A new session id once fully signed in: one seen before the second factor is worth nothing.
    request.session.cycle_key()


@login_required
def mfa_verify_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_or_queue(request))
    if not mfa.has_authenticator(request.user):
        return redirect("mfa_setup")
    status, error = 200, ""
    if request.method == "POST":
        device = mfa.verify(request.user, request.POST.get("code", ""))
        if device is not None:
            _passed(request, device)
            logger.info("event=staff.mfa_verified user_id=%s", request.user.pk)
            return redirect(_next_or_queue(request))
        logger.warning("event=staff.mfa_failed user_id=%s", request.user.pk)
        status, error = 401, "That code is not right, or was tried too soon after a wrong one. Try the next code."
    return render(request, "escalations/mfa_verify.html", {"error": error}, status=status)


@login_required
def mfa_setup_view(request: HttpRequest) -> HttpResponse:
    """Enrolment: a new authenticator, confirmed by its first code. An account that already has
    one must pass it first, so a stolen password alone cannot enrol the thief's phone."""
    user = request.user
    if mfa.has_authenticator(user) and not user.is_verified():
        return redirect("mfa_verify")
    device = mfa.pending_authenticator(user)
    status, error = 200, ""
    if request.method == "POST":
        codes = mfa.confirm_authenticator(user, device, request.POST.get("code", ""))
        if codes is not None:
            _passed(request, device)
            return render(request, "escalations/mfa_codes.html", {"codes": codes, "enrolled": True})
        status, error = (
            400,
            (
                "That code does not match, or came too soon after a wrong one. "
                "Check the phone's clock and try the newest code."
            ),
        )
    context = {
        "qr_svg": mfa.qr_svg(device),
        "otpauth_uri": device.config_url,
        "secret": mfa.secret_text(device),
        "enrolled": mfa.has_authenticator(user),
        "required": settings.STAFF_REQUIRE_MFA,
        "error": error,
    }
    return render(request, "escalations/mfa_setup.html", context, status=status)


@require_POST
@login_required
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """New recovery codes, for an account that has passed its second factor in this session."""
    if not (request.user.is_verified() and mfa.has_authenticator(request.user)):
        return redirect("mfa_setup")
    codes = mfa.new_recovery_codes(request.user)
    logger.info("event=staff.mfa_recovery_codes_renewed user_id=%s", request.user.pk)
    return render(request, "escalations/mfa_codes.html", {"codes": codes, "enrolled": False})
