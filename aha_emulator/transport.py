"""The HTTP/1.1 side: a threaded server on 127.0.0.1 and a thin keep-alive handler that writes
out what ``AhaEmulator.dispatch`` answers (including dropped and truncated answers)."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .server import AhaEmulator


class Server(ThreadingHTTPServer):
    """Threaded server that remembers open connections so ``stop`` can close them."""

    daemon_threads = True
    request_queue_size = 128  # a burst of new connections is accepted, not left to SYN retries

    def __init__(self, address: tuple[str, int], emulator: AhaEmulator) -> None:
        self.emulator = emulator
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client (or ``stop``) breaks a connection mid-request."""

    def close_connections(self) -> None:
        with self._open_lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    """Thin HTTP/1.1 keep-alive adapter around ``AhaEmulator.dispatch``."""

    protocol_version = "HTTP/1.1"
    server_version = "AhaEmulator/1.0"
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out separately: avoid a 40 ms stall

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no per-request lines on stderr."""

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        emulator = cast(Server, self.server).emulator
        response = emulator.dispatch(method, self.path, dict(self.headers.items()), body)
        if response.mode == "drop":
            self.close_connection = True
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.mode == "truncate":
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.wfile.write(response.body)
