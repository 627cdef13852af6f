"""Background work shared by all apps. Mail goes out of the request so a slow SMTP server never
slows a click, and a failed send is retried with backoff by the job queue (`shenbao.jobs`) rather
than lost: JOB_MAX_ATTEMPTS tries, then it is listed by `manage.py check_tasks`."""

import logging
import uuid

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shenbao.jobs import queue

logger = logging.getLogger(__name__)


@queue.handler(queue="default")
def deliver_email(job) -> str:
    params = job.params
    try:
        send_mail(params["subject"], params["body"], None, params["recipients"])
    except Exception as error:
        logger.warning("mail %s to %s failed: %s", job.key, params["recipients"], error)
        raise queue.Retryable(_("邮件发送失败，将稍后重试")) from error
    return "sent"


def email_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Queue the mail once the change that caused it is committed, never for a rolled-back one."""
    recipients = [address for address in recipients if address]
    if recipients:
        transaction.on_commit(
            lambda: queue.accept(
                deliver_email,
                f"email:{uuid.uuid4().hex}",
                {"subject": subject, "body": body, "recipients": recipients},
                accepted_at=timezone.now(),
                what=(_("邮件：%(subject)s") % {"subject": subject})[:200],
            )
        )


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> None:
    """The same mail through django-tasks (kept for set-ups that drive shenbao's mail from Redis)."""
    send_mail(subject, body, None, recipients)
