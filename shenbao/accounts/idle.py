"""Sessions end after SESSION_IDLE_SECONDS without a request, without writing the session on every
request (an autosave every few seconds would otherwise cost a session UPDATE each time).

The time of the last request lives in a signed, timestamped cookie (`IDLE_COOKIE`) naming the
session it belongs to, refreshed at most once a minute at no database cost. The stored session itself is
written only when it is half-way to its expiry, so an active person is never logged out and an idle
one is, by whichever comes first.
"""

import hashlib
import math
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


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


REFRESH_SECONDS = 60  # the cookie is signed again at most this often


def _cookie_age(request, seen: str) -> float | None:
    """Seconds since the cookie was signed; infinitely old when tampered with; None when it names
    another session (one left from an earlier session is ignored, and replaced)."""
    signer = _signer()
    try:
        session = signer.unsign(seen)
    except signing.BadSignature:
        return math.inf
    if session != _digest(request.session.session_key):
        return None
    return max(0.0, time.time() - signing.b62_decode(seen.rsplit(signer.sep, 2)[1]))


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
        age = _cookie_age(request, seen) if seen is not None and request.user.is_authenticated else None
        if age is not None and age > _idle_seconds():
            logout(request)
        if request.user.is_authenticated:
            self._renew_when_half_spent(request)
        named = request.session.session_key
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Not on every response: an autosave every few seconds would sign and send it each time, and
            # the timeout is hours, so a minute's precision is plenty. A cookie of another session, or a
            # session key rotated by this request (a login, a password change), is replaced at once.
            if age is None or age >= REFRESH_SECONDS or request.session.session_key != named:
                response.set_cookie(
                    IDLE_COOKIE,
                    _signer().sign(_digest(request.session.session_key)),
                    httponly=True,
                    secure=settings.SESSION_COOKIE_SECURE,
                    samesite="Lax",
                )
        elif seen is not None:
            response.delete_cookie(IDLE_COOKIE)
        return response

    @staticmethod
    def _renew_when_half_spent(request):
        renewed = request.session.get(_RENEWED, 0)
        if time.time() - renewed > _idle_seconds() / 2:
            request.session[_RENEWED] = int(time.time())  # saved (and its expiry moved) by SessionMiddleware
