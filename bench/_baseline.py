"""The bare Django view bench/rush.py measures shenbao's autosave against: one INSERT, nothing else
(no session, no CSRF, no template), on the same database and the same gunicorn configuration.

    DATABASE_URL=postgres://… gunicorn -c deploy/gunicorn.conf.py --pythonpath bench _baseline:application
"""

import os

import dj_database_url
from django.conf import settings

TABLE = "bench_baseline_save"  # created by bench/rush.py before the server starts

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="insecure-bench-baseline-only",  # a throwaway process that signs nothing
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
        DATABASES={
            "default": dj_database_url.parse(
                os.environ["DATABASE_URL"],
                conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
                conn_health_checks=True,
            )
        },
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def save(request):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (body, saved_at) VALUES (%s, now())", [request.POST.get("body", "")])
    return JsonResponse({"ok": True})


urlpatterns = [path("save/", save)]
application = get_wsgi_application()
