"""Sessions end after SESSION_IDLE_SECONDS without a request, without writing the session on every
request (an autosave every few seconds would otherwise cost a session UPDATE each time).

The time of the last request lives in a signed, timestamped cookie (`IDLE_COOKIE`) naming the
session it belongs to, refreshed on every response at no database cost. The stored session itself is
written only when it is half-way to its expiry, so an active person is never logged out and an idle
one is, by whichever comes first.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.dispatch import receiver

IDLE_COOKIE = "shenbao_seen"
_SALT = "shenbao.accounts.idle"
_RENEWED = "_session_renewed_at"


def _digest(session_key: str | None) -> str:
    return hashlib.sha256((session_key or "").encode()).hexdigest()[:16]


def _idle_seconds() -> int:
    return settings.SESSION_COOKIE_AGE


@receiver(user_logged_in)
def _mark_session_renewed(request, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[_RENEWED] = int(time.time())


class IdleTimeoutMiddleware:
    """After AuthenticationMiddleware: log out a session idle for too long; remember this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seen = request.COOKIES.get(IDLE_COOKIE)
        if seen is not None and request.user.is_authenticated and self._idle_too_long(request, seen):
            logout(request)
        if request.user.is_authenticated:
            self._renew_when_half_spent(request)
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.set_cookie(
                IDLE_COOKIE,
                signing.TimestampSigner(salt=_SALT).sign(_digest(request.session.session_key)),
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        elif seen is not None:
            response.delete_cookie(IDLE_COOKIE)
        return response

    @staticmethod
    def _idle_too_long(request, seen: str) -> bool:
        """The cookie names the session it was set for: one left from an earlier session is ignored."""
        signer = signing.TimestampSigner(salt=_SALT)
        try:
            session = signer.unsign(seen)
        except signing.BadSignature:
            return True  # tampered with
        if session != _digest(request.session.session_key):
            return False
        try:
            signer.unsign(seen, max_age=_idle_seconds())
        except signing.SignatureExpired:
            return True
        return False

    @staticmethod
    def _renew_when_half_spent(request):
        renewed = request.session.get(_RENEWED, 0)
        if time.time() - renewed > _idle_seconds() / 2:
            request.session[_RENEWED] = int(time.time())  # saved (and its expiry moved) by SessionMiddleware
