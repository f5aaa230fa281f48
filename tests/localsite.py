"""A small web site on 127.0.0.1 for the tests that fetch pages and feeds (and a guard against anywhere else).

``site.add(path, body, media_type)`` serves a response, ``site.redirect(path, location)`` a 302;
``site.hits`` lists the paths asked for, in order. Every response is bounded in size and time.
"""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        site: LocalSite = self.server.site
        site.hits.append(self.path)
        status, headers, body = site.routes.get(self.path.split("?")[0], (404, {"Content-Type": "text/plain"},
                                                                           b"not here"))
        try:
            if callable(body):
                body(self)
                return
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up: what a limit does


class LocalSite:
    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], object]] = {}
        self.hits: list[str] = []
        self.stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.site = self
        self.httpd.daemon_threads = True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def add(self, path: str, body: bytes | str, media_type: str | None = "text/html; charset=utf-8") -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = (200, {"Content-Type": media_type} if media_type else {}, data)
        return self.url(path)

    def redirect(self, path: str, location: str) -> str:
        self.routes[path] = (302, {"Location": location}, b"")
        return self.url(path)

    def handle(self, path: str, respond) -> str:
        """Serve ``path`` with ``respond(handler)`` (slow or odd responses)."""
        self.routes[path] = (200, {}, respond)
        return self.url(path)

    def start(self) -> "LocalSite":
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site():
    served = LocalSite().start()
    try:
        yield served
    finally:
        served.close()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Fail the test if anything tries to connect to an address other than 127.0.0.1."""
    elsewhere: list[object] = []
    real_connect = socket.socket.connect

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            elsewhere.append(address)
            raise OSError(f"test guard: no traffic to {address[0]}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert elsewhere == [], f"connections attempted to {elsewhere}"
