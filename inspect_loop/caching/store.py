"""Where cached pages live: this process's memory by default, Redis when ``CACHE_REDIS_URL`` is set.

Entries are bytes and expire after their time to live; the memory store also forgets the least recently used
entries beyond ``CACHE_MEMORY_BYTES``. Keys carry the data version, so an entry is never wrong for its key and
an outdated one just ages out. A Redis that cannot be reached costs the cache, never the page: it is logged
and the page is computed as if nothing were cached.
"""

import threading
import time
from collections import OrderedDict

from flask import Flask, current_app

EXTENSION = "inspect_loop.cache_store"


class MemoryStore:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if expires < time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, seconds: int) -> None:
        if len(value) > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (time.monotonic() + seconds, value)
            self._bytes += len(value)
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        self._bytes -= len(self._entries.pop(key)[1])


class RedisStore:
    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._errors = (redis.RedisError, OSError)

    def get(self, key: str) -> bytes | None:
        try:
            return self._redis.get(key)
        except self._errors as error:
            current_app.logger.warning("page cache: Redis unreachable (%s); serving uncached", error)
            return None

    def set(self, key: str, value: bytes, seconds: int) -> None:
        try:
            self._redis.set(key, value, ex=seconds)
        except self._errors as error:
            current_app.logger.warning("page cache: Redis unreachable (%s); not cached", error)


def init_store(app: Flask) -> None:
    url = app.config["CACHE_REDIS_URL"]
    app.extensions[EXTENSION] = RedisStore(url) if url else MemoryStore(app.config["CACHE_MEMORY_BYTES"])


def store() -> MemoryStore | RedisStore:
    return current_app.extensions[EXTENSION]
