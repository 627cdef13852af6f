"""When a person acted (issue 12 item 3, the click decides): at the deadline a click can wait seconds
in the queue before a worker takes it, and it must be judged by the moment it reached the server, not
the moment a worker got round to it. The front (nginx of `make serve`, deploy/front.py) stamps each
request as it arrives with `X-Request-Start: t=<seconds since the epoch>`; with TRUST_REQUEST_START on
and the request from a proxy that WEB_FORWARDED_ALLOW_IPS names, that time is the act's. Without
a front, the act is the moment the view runs, as before."""

import datetime as dt

from django.utils import timezone

# No request waits longer than this for a worker (gunicorn's WEB_TIMEOUT and nginx's read timeout
# are 60 s and 120 s): an older stamp is a wrong clock or a forgery, and is not believed.
LONGEST_WAIT = dt.timedelta(seconds=120)
# The front's clock and this one are the same machine's, or kept together by NTP.
CLOCK_SKEW = dt.timedelta(seconds=1)


def acted_at(request) -> dt.datetime:
    """The moment the request reached the front, or now."""
    return getattr(request, "acted_at", None) or timezone.now()


def front_received_at(header: str, now: dt.datetime) -> dt.datetime | None:
    """`t=1764158399.123` (nginx's $msec) as a time no later than now, or None when it is not
    believable."""
    value = header.strip().removeprefix("t=")
    try:
        received = dt.datetime.fromtimestamp(float(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None
    if received > now + CLOCK_SKEW or received < now - LONGEST_WAIT:
        return None
    return min(received, now)
