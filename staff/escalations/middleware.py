"""The console's own middleware: the second-factor gate, and headers for pages with patient data."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from staff.escalations import mfa

# Where a signed-in account that still owes its second factor may go.
SECOND_FACTOR_PAGES = {"login", "logout", "mfa_verify", "mfa_setup"}

# Only the console's own files: no inline script or style anywhere, no framing, forms post
# back here only. The QR code and the charts are inline SVG markup, which needs nothing more.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


class SecondFactorMiddleware:
    """Until the second factor is passed, every page but sign-in and enrolment sends the account there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # Read by the page layout: no console navigation until the second factor is passed.
        request.second_factor_pending = user.is_authenticated and not user.is_verified() and mfa.is_required(user)
        if request.second_factor_pending:
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in SECOND_FACTOR_PAGES:
                target = reverse("mfa_verify" if mfa.has_authenticator(user) else "mfa_setup")
                if request.method == "GET":
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
        return self.get_response(request)


class NoStoreAndCspMiddleware:
    """Nothing the console renders is kept in a browser or proxy cache, and every page has a CSP.

    Static files are served by WhiteNoise before this runs, so they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
