"""The shared cache (CACHE_URL) on Redis, with one client per connection pool instead of one per call.

Django's Redis backend builds a new `redis.Redis` object for every cache operation. An autosave reads
the cache three times (its session, the live-review generation and the context), and building those
clients was an eighth of its CPU at saturation (py-spy on bench/rush.py). The client keeps no state of
its own beyond its pool, so one per pool serves every call; Django already keeps one cache object per
thread.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
