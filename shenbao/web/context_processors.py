from django.utils import timezone

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
    filing = call.spec.filing
    return {
        "current_call": call,
        "filing_window": filing,
        "filing_open": filing.is_open(now),
        "filing_time_left": filing.time_left(now),
        "unread_count": unread,
    }
