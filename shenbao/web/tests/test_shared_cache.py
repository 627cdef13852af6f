"""The shared cache on Redis (CACHE_URL) reuses its client and still does all a cache does."""

import uuid

import pytest

from shenbao.cache import ReusingRedisCache

REDIS_URL = "redis://127.0.0.1:6379/3"


@pytest.fixture
def shared_cache():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379 (make test starts one)")
    return ReusingRedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_the_shared_cache_builds_one_client_and_serves_every_operation_with_it(shared_cache):
    shared_cache.set("session", {"user": 7}, 30)
    assert shared_cache.get("session") == {"user": 7}
    assert shared_cache.get_or_set("generation", 1, None) == 1
    assert shared_cache.incr("generation") == 2
    shared_cache.set_many({"a": 1, "b": 2})
    assert shared_cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    shared_cache.delete_many(["a", "b", "session"])
    assert shared_cache.get("session") is None and shared_cache.get("a") is None
    client = shared_cache._cache
    assert client.get_client() is client.get_client(write=True) is client.get_client("any")
