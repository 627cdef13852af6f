"""Draft PDFs: rendered once per version, and not more often than a person can read them.

A draft 申报书 costs seconds of CPU to render (tens of seconds for a long one), so a few clicks must
not occupy every web worker. The rendered PDF is cached under what it is rendered from — the
application's version, its attachments and the call file — and a person may have at most
DRAFT_PDF_RENDERS renders in DRAFT_PDF_WINDOW_SECONDS; a cached draft is always served. Two requests
for the same uncached draft render it once: the second is asked to try again shortly.
"""

import time

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from .render import render_application

CACHE_SECONDS = 3600


class DraftRefused(Exception):
    """Not rendered now; the message says why and `retry_after` when to try again (seconds)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _key(application) -> str:
    attachments = application.attachments.aggregate(count=Count("id"), last=Max("id"))
    loaded = int(application.call.loaded_at.timestamp()) if application.call.loaded_at else 0
    return f"draft-pdf:{application.pk}:{application.version}:{attachments['count']}:{attachments['last']}:{loaded}"


def _count_render(user) -> None:
    window = settings.DRAFT_PDF_WINDOW_SECONDS
    started = int(time.time()) // window * window
    key = f"draft-pdf-renders:{user.pk}:{started}"
    cache.add(key, 0, window)
    try:
        renders = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        renders = 1
    if renders > settings.DRAFT_PDF_RENDERS:
        retry_after = started + window - int(time.time())
        raise DraftRefused(
            _(
                "草稿PDF生成过于频繁：每%(window)s分钟最多生成%(draft_pdf_renders)s次，请%(max)s分钟后再试。内容未修改时可直接使用已生成的PDF。"
            )
            % {
                "window": window // 60,
                "draft_pdf_renders": settings.DRAFT_PDF_RENDERS,
                "max": max(retry_after // 60, 1),
            },
            retry_after,
        )


def draft_pdf(application, user=None) -> bytes:
    """The draft PDF of the application as it is now, from the cache when it was rendered already."""
    key = _key(application)
    if (pdf := caches["drafts"].get(key)) is not None:
        return pdf
    if user is not None:
        _count_render(user)
    if not cache.add(f"{key}:rendering", 1, 120):
        raise DraftRefused(_("草稿PDF正在生成，请稍候几秒后刷新。"), 5)
    try:
        pdf = render_application(application, draft=True)
        caches["drafts"].set(key, pdf, CACHE_SECONDS)
    finally:
        cache.delete(f"{key}:rendering")
    return pdf
