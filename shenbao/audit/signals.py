"""Logins, successful and failed, are audit events."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .log import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record("login", actor=user, obj=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record(
        "login_failed",
        object_type="accounts.user",
        object_id=str(credentials.get("username", ""))[:64],
        request=request,
    )
