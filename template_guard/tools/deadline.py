"""One deadline for a whole HTTP exchange: connect, headers and body.

Socket timeouts bound each read, so a server sending its headers one byte every half second keeps a
request alive for as long as it likes. `DeadlineAdapter` remembers the connections a request uses, and a
watchdog thread shuts their sockets down when the deadline passes, which ends any blocked read at once.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager

__all__ = ["DeadlineAdapter"]

_RECHECK_SECONDS = 0.05  # after the deadline, how often a connection opened late is shut down too


class _Watch:
    """The connections in use by the current request; after `expire`, every one is shut down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[Any] = []

    def add(self, connection: Any) -> None:
        with self._lock:
            self._connections.append(connection)

    def clear(self) -> None:
        with self._lock:
            self._connections.clear()

    def shut_down(self) -> None:
        with self._lock:
            sockets = [getattr(connection, "sock", None) for connection in self._connections]
        for sock in sockets:
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed by its owner: nothing left to stop
                    sock.shutdown(socket.SHUT_RDWR)


def _watched(base: type[HTTPConnectionPool], watch: _Watch) -> type[HTTPConnectionPool]:
    """A pool class of `base` that reports every connection it hands out (new or kept alive) to `watch`."""

    class WatchedPool(base):  # type: ignore[valid-type,misc]
        def _get_conn(self, timeout: float | None = None) -> Any:
            connection = super()._get_conn(timeout)
            watch.add(connection)
            return connection

    return WatchedPool


class DeadlineAdapter(HTTPAdapter):
    """A requests adapter whose requests can be given an overall deadline with `within`."""

    def __init__(self) -> None:
        self._watch = _Watch()  # before super().__init__, which builds the pool manager
        super().__init__()

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        manager: PoolManager = self.poolmanager
        manager.pool_classes_by_scheme = {
            "http": _watched(HTTPConnectionPool, self._watch),
            "https": _watched(HTTPSConnectionPool, self._watch),
        }

    @contextlib.contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        """Shut down the sockets of requests made in the block once `seconds` have passed."""
        stop = threading.Event()
        watchdog = threading.Thread(target=self._guard, args=(stop, seconds), daemon=True, name="capture-deadline")
        self._watch.clear()
        watchdog.start()
        try:
            yield
        finally:
            stop.set()
            watchdog.join()
            self._watch.clear()

    def _guard(self, stop: threading.Event, seconds: float) -> None:
        if stop.wait(max(seconds, 0.0)):
            return
        # Past the deadline: a connection still being opened gets its socket shut down as soon as it has one.
        while True:
            self._watch.shut_down()
            if stop.wait(_RECHECK_SECONDS):
                return


def remaining(deadline: float) -> float:
    """Seconds left until the monotonic `deadline` (never negative)."""
    return max(deadline - time.monotonic(), 0.0)
