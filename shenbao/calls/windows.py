"""Is a window open for this unit at time t? The one place that answers it (issue 12 item 4): the call
file's window, with its close moved to the latest extension the department granted to the whole call,
to the unit or to the recommender concerned. Every check of a window goes through here."""

import dataclasses
import datetime as dt

from django.db.models import Max, Q

from .models import Call, WindowExtension


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


def extensions_for(call: Call, *, unit: int | None = None, recommender: int | None = None):
    """The extensions a unit or recommender is shown (its own and the whole call's)."""
    granted = Q(unit__isnull=True, recommender__isnull=True)
    if unit is not None:
        granted |= Q(unit_id=unit)
    if recommender is not None:
        granted |= Q(recommender_id=recommender)
    return WindowExtension.objects.filter(call=call).filter(granted).order_by("-granted_at")
