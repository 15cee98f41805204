"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for
every cache call, and each one copies redis-py's table of ~170 reply
callbacks: about as much CPU as the round trip itself, on every rate-limit
check of the landing page. The client object holds no connection of its own
(the pool does, and redis-py's pool is thread- and fork-safe), so one per pool
behaves the same.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
