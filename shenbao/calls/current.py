"""Which call the pages work on."""

from .models import Call


def current_call() -> Call | None:
    """The active call people are working on now: a demo copy when one is loaded, else the newest."""
    return Call.objects.filter(is_active=True).order_by("-is_demo", "-loaded_at").first()
