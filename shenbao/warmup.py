"""What a web worker does once, before it serves its first request (deploy/gunicorn.conf.py:
`post_worker_init`).

Each of these is otherwise paid by the first request that needs it, in every worker, holding the GIL
while the other requests of that worker wait: on deadline day, after a deploy or a worker's planned
restart (`WEB_MAX_REQUESTS`), that was a second of CPU falling into the rush (bench/rush.py, py-spy).
"""

import logging

logger = logging.getLogger(__name__)


def warm_up() -> None:
    from django.core.files.storage import default_storage
    from django.urls import get_resolver

    from shenbao.attachments.pdf_inspection import start_fork_server
    from shenbao.documents.fonts import unprintable

    try:
        if hasattr(default_storage, "bucket_name"):
            default_storage.connection  # noqa: B018 — imports boto3 and reads its service models, once
    except Exception:  # an object store that is away now is the first upload's problem, said in Chinese there
        logger.warning("the object store's client could not be made at start-up", exc_info=True)
    start_fork_server()  # the PDF checks' fork server, pikepdf imported
    unprintable("申报")  # the embedded font's character map, read once
    get_resolver().url_patterns  # noqa: B018 — imports every view module, a third of a second
