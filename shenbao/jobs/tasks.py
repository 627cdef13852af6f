"""The bridge to django-tasks for set-ups that run rq workers (TASKS_BACKEND=rq): a nudge that runs
one job of the jobs table, under the same lease and retry rules as `manage.py work`."""

from django_tasks import task

from . import queue


@task()
def run_job(job_id: int) -> int:
    return queue.run_due(worker="rq", only=job_id)
