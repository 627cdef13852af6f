"""Background work shared by all apps. Mail goes out of the request so a slow SMTP server never
slows a click, and a failed send is retried by the task runner rather than lost."""

from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> None:
    send_mail(subject, body, None, recipients)


def email_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Queue the mail once the change that caused it is committed, never for a rolled-back one."""
    recipients = [address for address in recipients if address]
    if recipients:
        transaction.on_commit(lambda: send_email.enqueue(subject, body, recipients))
