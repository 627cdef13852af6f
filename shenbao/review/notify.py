"""Telling the people concerned: an inbox entry and an e-mail, both only once the change commits."""

from django.db import transaction

from shenbao.web.tasks import email_on_commit

from .models import Notification


def tell(users, subject: str, message: str, url: str = "") -> None:
    users = [u for u in users if u is not None and u.is_active]
    if not users:
        return
    transaction.on_commit(
        lambda: Notification.objects.bulk_create([Notification(user=u, message=message[:300], url=url) for u in users])
    )
    email_on_commit(subject, message + (f"\n{url}" if url else ""), [u.email for u in users])
