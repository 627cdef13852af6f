"""A fixed-window counter in Django's cache, for the token endpoints.

With several web processes the cache must be shared (CACHES pointing at Redis) for the limit to hold
across them; the default local-memory cache limits each process on its own.
"""

import time

from django.core.cache import cache


def too_many(scope: str, who: str, *, limit: int, seconds: int, count: bool = True) -> bool:
    """True once `who` has reached `limit` events of `scope` within the current window of `seconds`.
    `count=False` only looks, so that a caller can count failures alone."""
    key = f"ratelimit:{scope}:{who}:{int(time.time() // seconds)}"
    if not count:
        return (cache.get(key) or 0) >= limit
    cache.add(key, 0, timeout=seconds + 1)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        return False
