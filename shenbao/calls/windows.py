"""Is a window open for this unit at time t? The one place that answers it (issue 12 item 4): the call
file's window, with its close moved to the latest extension the department granted to the whole call,
to the unit or to the recommender concerned. Every check of a window goes through here."""

import dataclasses
import datetime as dt

from django.core.cache import cache
from django.db.models import Max, Q

from .models import Call, WindowExtension

DISPLAY_CACHE_SECONDS = 30


def window_for(
    call: Call, which: str, at: dt.datetime | None = None, *, unit: int | None = None, recommender: int | None = None
):
    """The window `which` ("filing" or "recommendation") as it applies to `unit` / `recommender` (ids).
    While the call file's window is still open at `at`, no extension can matter: no query is made."""
    window = getattr(call.spec, which)
    if at is not None and at < window.closes:
        return window
    granted = Q(unit__isnull=True, recommender__isnull=True)
    if unit is not None:
        granted |= Q(unit_id=unit)
    if recommender is not None:
        granted |= Q(recommender_id=recommender)
    latest = (
        WindowExtension.objects.filter(call=call, which=which).filter(granted).aggregate(closes=Max("closes"))["closes"]
    )
    if latest is None or latest <= window.closes:
        return window
    return dataclasses.replace(window, closes=latest)


def refusal(call: Call, which: str, at: dt.datetime, what: str, *, unit=None, recommender=None) -> str:
    """Why `what` cannot be done at `at` (Chinese, with the close and the clause); "" while open."""
    return window_for(call, which, at, unit=unit, recommender=recommender).refusal(at, call.spec.tz, what)


def is_open(call: Call, which: str, at: dt.datetime, *, unit=None, recommender=None) -> bool:
    return window_for(call, which, at, unit=unit, recommender=recommender).is_open(at)


def extensions_for(call: Call, *, unit: int | None = None, recommender: int | None = None) -> list:
    """The extensions a unit or recommender is shown on every page (its own and the whole call's).
    For display only, so read through the cache for a few seconds; decisions use `window_for`."""
    every = cache.get_or_set(
        f"window-extensions:{call.pk}",
        lambda: list(WindowExtension.objects.filter(call=call).select_related("unit", "recommender")),
        DISPLAY_CACHE_SECONDS,
    )
    return sorted(
        (
            e
            for e in every
            if (e.unit_id is None and e.recommender_id is None)
            or (unit is not None and e.unit_id == unit)
            or (recommender is not None and e.recommender_id == recommender)
        ),
        key=lambda e: e.granted_at,
        reverse=True,
    )
