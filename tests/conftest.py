"""Suite-wide guard: no test may open a network connection to anything but this machine."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class NetworkBlockedError(RuntimeError):
    """A test tried to reach a host other than loopback (a RuntimeError, so no client retries it as an OSError)."""


def _is_loopback_host(host: Any) -> bool:
    if host is None or (isinstance(host, str) and host.lower().rstrip(".") in _LOOPBACK_NAMES):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _is_local_address(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", object()):
        return True
    return isinstance(address, tuple) and _is_loopback_host(address[0])


@pytest.fixture(autouse=True)
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Forbid connections (and name lookups) beyond loopback; a test that tried one fails, even if it caught the error.

    Yields the list of blocked attempts, which a test of the guard itself may inspect and clear.
    """
    attempts: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_sendto, real_getaddrinfo = socket.socket.sendto, socket.getaddrinfo

    def refuse(what: str) -> NetworkBlockedError:
        attempts.append(what)
        return NetworkBlockedError(f"network access is forbidden during tests: {what}")

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_local_address(self.family, address):
            raise refuse(f"connect to {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_local_address(self.family, address):
            raise refuse(f"connect to {address!r}")
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: bytes, *args: Any) -> int:
        address = args[-1]
        if not _is_local_address(self.family, address):
            raise refuse(f"send to {address!r}")
        return real_sendto(self, data, *args)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # The C resolver talks to DNS servers without going through Python sockets: stop it here.
        if not _is_loopback_host(host):
            raise refuse(f"look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    if attempts:
        pytest.fail("the test tried to use the network: " + "; ".join(attempts), pytrace=False)
