"""A thread-safe LRU cache with per-entry time-to-live and single-flight computation.

Semantics:
- An entry put at time t with ttl T expires at t + T: it is expired when clock() >= t + T. ttl None
  means the cache default (None there means never).
- get() of a live entry counts a hit and makes it most recently used (it does not extend its ttl); get()
  of a missing or expired entry counts a miss. An expired entry found by get() is dropped and counted
  in stats()["expirations"].
- put() of an existing key replaces the value, restarts its ttl and makes it most recently used.
- When a put() of a new key finds the cache full, expired entries are purged first (each counted as an
  expiration); only if the cache is still full is the least recently used live entry evicted (counted in
  stats()["evictions"]).
- len() counts live entries only.
- get_or_compute(key, fn): returns the live value if present (a hit); otherwise calls fn() once even
  when several threads ask for the same key at the same time (the others wait and get the same
  result, and each counts a miss). If fn raises, every waiting caller gets the exception and nothing
  is cached.
"""
import threading
import time
from collections import OrderedDict


class _Flight:
    def __init__(self):
        self.done = threading.Event()
        self.value = None
        self.error = None


class LRUCache:
    def __init__(self, capacity, default_ttl=None, clock=time.monotonic):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.default_ttl = default_ttl
        self.clock = clock
        self._data = OrderedDict()  # key -> (value, expires_at or None)
        self._lock = threading.RLock()
        self._flights = {}
        self._stats = {"hits": 0, "misses": 0, "evictions": 0, "expirations": 0}

    def _expired(self, expires_at, now):
        return expires_at is not None and now >= expires_at

    def _lookup(self, key):
        """Value of a live entry (refreshing recency) or a miss marker; caller holds the lock."""
        now = self.clock()
        item = self._data.get(key)
        if item is not None and self._expired(item[1], now):
            del self._data[key]
            self._stats["expirations"] += 1
            item = None
        if item is None:
            self._stats["misses"] += 1
            return False, None
        self._data.move_to_end(key)
        self._stats["hits"] += 1
        return True, item[0]

    def get(self, key, default=None):
        with self._lock:
            found, value = self._lookup(key)
            return value if found else default

    def put(self, key, value, ttl=None):
        with self._lock:
            now = self.clock()
            ttl = self.default_ttl if ttl is None else ttl
            expires_at = None if ttl is None else now + ttl
            if key in self._data:
                self._data[key] = (value, expires_at)
                self._data.move_to_end(key)
                return
            if len(self._data) >= self.capacity:
                for k in [k for k, (_, e) in self._data.items() if self._expired(e, now)]:
                    del self._data[k]
                    self._stats["expirations"] += 1
            while len(self._data) >= self.capacity:
                self._data.popitem(last=False)
                self._stats["evictions"] += 1
            self._data[key] = (value, expires_at)

    def delete(self, key):
        with self._lock:
            return self._data.pop(key, None) is not None

    def __len__(self):
        with self._lock:
            now = self.clock()
            return sum(1 for _, e in self._data.values() if not self._expired(e, now))

    def keys(self):
        """Live keys, least recently used first."""
        with self._lock:
            now = self.clock()
            return [k for k, (_, e) in self._data.items() if not self._expired(e, now)]

    def stats(self):
        with self._lock:
            return dict(self._stats)

    def get_or_compute(self, key, fn, ttl=None):
        with self._lock:
            found, value = self._lookup(key)
            if found:
                return value
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
        if leader:
            try:
                flight.value = fn()
            except BaseException as e:  # handed to every waiter
                flight.error = e
            with self._lock:
                if flight.error is None:
                    self.put(key, flight.value, ttl)
                self._flights.pop(key, None)
            flight.done.set()
        else:
            flight.done.wait()
        if flight.error is not None:
            raise flight.error
        return flight.value
