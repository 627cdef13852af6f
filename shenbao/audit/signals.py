"""Logins, successful and failed, and every change made in Django's admin are audit events."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save
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


@receiver(post_save, sender=LogEntry)
def _admin_changed(sender, instance: LogEntry, created: bool, **kwargs):
    """Every change made in Django's admin (registries, users, recommenders, quotas, passwords) enters
    the chain too, with the admin's own description of what changed."""
    if not created:
        return
    kind = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}.get(instance.action_flag, "changed")
    content_type = instance.content_type
    record(
        f"admin.{kind}",
        actor=instance.user,
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(instance.object_id or "")[:64],
        after={"object": instance.object_repr, "change": instance.get_change_message()},
    )
