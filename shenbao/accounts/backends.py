"""Django's model backend, with the signed-in user read from the shared cache.

Every request of a signed-in person needs their User; on deadline day that is an autosave every few
seconds from each of hundreds of people, and reading the row cost an autosave about as much CPU as
its own UPDATE (bench/rush.py). With a shared cache (CACHE_URL) the row is kept there and forgotten
whenever the user is saved or deleted (a password change, a deactivation, a login), so a change made
by any process is seen by the next request everywhere. A bounded lifetime covers what signals cannot
see (an UPDATE typed into psql). Without a shared cache each process would keep its own copy and miss
the others' changes, so then every request reads the database, as Django does.

Only the lookup is cached: the session's auth hash is still checked against the user's password hash
on every request (django.contrib.auth.get_user), and an inactive user is still refused here.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import User

LIFETIME_SECONDS = 300
# Sessions signed in before this backend existed name Django's own; they are carried over, not ended.
PREVIOUS_BACKEND = "django.contrib.auth.backends.ModelBackend"
BACKEND = "shenbao.accounts.backends.CachedModelBackend"


def _key(user_id) -> str:
    return f"user:{user_id}"


def _shared() -> bool:
    return settings.SHARED_CACHE


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        if not _shared():
            return super().get_user(user_id)
        user = cache.get(_key(user_id))
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(_key(user_id), user, LIFETIME_SECONDS)
        return user if self.user_can_authenticate(user) else None


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def forget_user(instance, **kwargs):
    if _shared():
        cache.delete(_key(instance.pk))


class PreviousBackendSessionsMiddleware:
    """Before AuthenticationMiddleware: a session that names Django's model backend now names ours, so
    that upgrading does not sign out everyone who is filling a form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key and session.get(BACKEND_SESSION_KEY) == PREVIOUS_BACKEND:
            session[BACKEND_SESSION_KEY] = BACKEND
        return self.get_response(request)
