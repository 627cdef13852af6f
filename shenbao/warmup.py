"""What a web worker does once, before it serves its first request (deploy/gunicorn.conf.py:
`post_worker_init`).

Each of these is otherwise paid by the first request that needs it, in every worker, holding the GIL
while the other requests of that worker wait: on deadline day, after a deploy or a worker's planned
restart (`WEB_MAX_REQUESTS`), that was a second of CPU falling into the rush (bench/rush.py, py-spy).

With gunicorn's preload (the default), what holds no connection and no process is done once in the
master (`warm_up_shared`, `when_ready`), and every worker forked from it has it already; the object
store's client and the PDF checks' fork server are each worker's own, made after the fork.
"""

import logging

logger = logging.getLogger(__name__)


def warm_up_shared() -> None:
    """Pure data every process may inherit: the font's character map, the URL patterns (and the view
    modules they import)."""
    from django.urls import get_resolver

    from shenbao.documents.fonts import unprintable

    unprintable("申报")  # the embedded font's character map, read once
    get_resolver().url_patterns  # noqa: B018 — imports every view module, a third of a second


def release_connections() -> None:
    """In gunicorn's master before it forks: a connection an import made must not be shared by the forks."""
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    for cache in caches.all(initialized_only=True):
        cache.close()


def warm_up() -> None:
    from django.core.files.storage import default_storage

    from shenbao.attachments.pdf_inspection import start_fork_server

    warm_up_shared()  # at once when the master did it already
    try:
        if hasattr(default_storage, "bucket_name"):
            default_storage.connection  # noqa: B018 — imports boto3 and reads its service models, once
    except Exception:  # an object store that is away now is the first upload's problem, said in Chinese there
        logger.warning("the object store's client could not be made at start-up", exc_info=True)
    start_fork_server()  # the PDF checks' fork server, pikepdf imported
