"""Scaled out, background tasks go through Redis (django-tasks' rq backend) and a worker runs them."""

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, emptied by the test


@pytest.fixture
def rq_backend(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379 (make test starts one from Debian's packages)")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    import django_rq.queues

    django_rq.queues.get_redis_connection(settings.RQ_QUEUES["default"]).flushdb()
    yield
    django_rq.queues.get_redis_connection(settings.RQ_QUEUES["default"]).flushdb()


def test_a_mail_queued_through_redis_is_sent_by_the_worker(rq_backend):
    import django_rq

    from shenbao.web.tasks import send_email

    send_email.enqueue("主题", "正文", ["someone@example.org"])
    assert mail.outbox == []  # queued, not sent in the request
    django_rq.get_worker(
        "default", job_class="django_tasks_rq.backend.Job", worker_class="rq.worker.SimpleWorker"
    ).work(burst=True)
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]
