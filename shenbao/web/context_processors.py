from django.utils import timezone

from shenbao.calls import windows
from shenbao.calls.current import current_call


def site(request):
    """The call in force and the time left in its filing window, shown on every page; unread messages."""
    from shenbao.review.models import Notification

    user = getattr(request, "user", None)
    unread = (
        Notification.objects.filter(user=user, read_at__isnull=True).count() if user and user.is_authenticated else 0
    )
    call = current_call()
    if call is None:
        return {"current_call": None, "unread_count": unread}
    now = timezone.now()
    unit = user.unit_id if user and user.is_authenticated else None
    recommender = user.acting_recommender_id if user and user.is_authenticated else None
    filing = windows.window_for(call, "filing", now, unit=unit)
    return {
        "current_call": call,
        "filing_window": filing,
        "filing_open": filing.is_open(now),
        "filing_time_left": filing.time_left(now),
        # Extensions the department granted this person's unit or recommender, or the whole call.
        "window_extensions": windows.extensions_for(call, unit=unit, recommender=recommender)[:5]
        if unit or recommender
        else [],
        "unread_count": unread,
    }
