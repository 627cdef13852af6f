"""Heavy document work as background tasks (django-tasks): the request only queues it."""

from django.utils import timezone
from django_tasks import task

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.review.notify import tell

from .sealing import seal_application


@task()
def seal_application_task(application_id: int, admin_id: int) -> str:
    application = Application.objects.select_related("call", "unit", "applicant").get(pk=application_id)
    admin = User.objects.get(pk=admin_id)
    try:
        seal_application(application, admin, timezone.now())
    except Exception as error:  # SealingFailed or any other: the admin must learn of it; the state did not change
        tell([admin], "签章失败", f"“{application.title}”签章失败，申报书状态未变：{error}")
        return f"failed: {error}"
    return "sealed"
