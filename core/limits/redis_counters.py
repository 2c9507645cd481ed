"""Fixed-window counters in Redis (`METASAAS_REDIS_URL`): INCR and EXPIRE in one MULTI.

The window is part of the key, so a new window is a new key and the old one expires by
itself; the transaction makes the count and its expiry one step, so no key outlives its
window even if this process dies between the two commands.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class RedisCounters:
    def __init__(self, url: str, *, prefix: str = "metasaas:rate:") -> None:
        import redis  # loaded only when Redis is configured

        self.client: Any = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
        self.prefix = prefix

    def hit(self, hits: list[tuple[str, int, int]], now: dt.datetime) -> list[tuple[int, int]]:
        with self.client.pipeline(transaction=True) as pipe:
            for key, start, expiry in hits:
                name = f"{self.prefix}{key}:{start}"
                pipe.incr(name)
                pipe.expire(name, expiry + 1)
            replies = pipe.execute()
        return [(int(replies[2 * i]), hit[1]) for i, hit in enumerate(hits)]

    def close(self) -> None:
        self.client.close()
