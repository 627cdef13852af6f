"""gunicorn's configuration for shenbao's web workers, read from environment variables (README).

    gunicorn -c deploy/gunicorn.conf.py shenbao.wsgi:application

The workers are stateless (sessions and data in the database, files in the object store, tasks in
Redis): any number of them, on any number of machines, can stand behind one load balancer.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def _bool(name: str, default: bool) -> bool:  # as shenbao/settings.py reads them
    value = os.environ.get(name, "")
    return value.strip().lower() in {"1", "true", "yes", "on"} if value.strip() else default


bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# gunicorn's rule of thumb: two workers per core plus one, so a worker waiting on the database or the
# object store does not leave a core idle.
workers = _int("WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1)
# Threads let a worker serve other requests while one streams a 10 MB upload from a slow line.
threads = _int("WEB_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
# A request that takes longer than this is killed and logged (rendering happens in the task workers).
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 20)
keepalive = _int("WEB_KEEPALIVE", 5)
# A worker is replaced after this many requests, so that a slow leak never grows without bound.
max_requests = _int("WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
# shenbao is imported once, in the master, and each worker is a fork of it. Importing Django and every
# view costs a worker 2–3 s of CPU; ten workers importing at once on a small or busy machine did not
# answer within 90 s (2026-11-27), and a worker replaced in the rush (max_requests) paid it again
# while autosaves waited. The price: `kill -HUP` no longer loads new code; restart to deploy.
preload_app = _bool("WEB_PRELOAD", True)
backlog = _int("WEB_BACKLOG", 2048)
# Behind a load balancer, trust its X-Forwarded-* headers (comma-separated addresses).
forwarded_allow_ips = os.environ.get("WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("WEB_ACCESS_LOG") or None  # "-" for standard output
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")
proc_name = "shenbao-web"


def when_ready(server):
    """In the master, before the first fork: what every worker can share (shenbao/warmup.py)."""
    if preload_app:
        from shenbao.warmup import release_connections, warm_up_shared

        warm_up_shared()
        release_connections()


def post_worker_init(worker):
    """Pay the first request's one-off costs before serving (shenbao/warmup.py)."""
    from shenbao.warmup import warm_up

    warm_up()
