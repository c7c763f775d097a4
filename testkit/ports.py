"""Loopback ports for tests that need a host to fail: one nothing listens on (a connection is
refused; also a free port for a server started later), and one that drops new connections as a
firewall does."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    """A 127.0.0.1 port nothing listens on (until something binds it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def dropping_port() -> Iterator[int]:
    """A 127.0.0.1 port that drops new connections: a listening socket whose queue is full and
    never accepted from, so a new connection's SYN goes unanswered until its connect timeout."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = int(server.getsockname()[1])
        queued = [socket.socket() for _ in range(3)]
        for client in queued:
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", port))
        try:
            yield port
        finally:
            for client in queued:
                client.close()
