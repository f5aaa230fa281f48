"""The resource policy against a real HTTP server on 127.0.0.1 (and nowhere else).

Proves that remote images are fetched into the editions, that redirects are
followed and re-checked hop by hop, that oversized and slow responses are cut
off within the limits, that ``--offline`` opens no socket, that private
addresses are refused without ``--allow-private``, and that WeasyPrint cannot
read past the policy. A guard fails any test that tries to connect anywhere but
127.0.0.1. Every server response is bounded in size and time.
"""
from __future__ import annotations

import io
import socket
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import exporter
from exporter.errors import LimitError, ResourceDenied
from exporter.resources import ResourcePolicy, ResourceUnavailable, is_public
from localsite import loopback_only  # noqa: F401 - the guard, autouse


def _png(color=(20, 120, 200), size=(16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


PNG = _png()
BIG = 3_000_000  # bytes served by /big and /big-unsized, over the 1 MB cap the tests set


#: Responses trickled a byte at a time: the status line, the headers, a chunk size line, the body.
TRICKLES: dict[str, tuple[bytes, bytes]] = {
    "/trickle-status": (b"", b"HTTP/1.0 200 OK" + b" " * 60),
    "/trickle-headers": (b"HTTP/1.0 200 OK\r\n", b"".join(b"X-%d: y\r\n" % n for n in range(20))),
    "/trickle-chunk-size": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"0" * 60),
    "/trickle-chunked-body": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                              b"".join(b"1\r\n0\r\n" for _ in range(20))),
}


class Handler(BaseHTTPRequestHandler):
    """A small, bounded web server: every path is one behaviour the policy must handle."""

    protocol_version = "HTTP/1.0"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        server = self.server
        if server.late:  # a loaded machine: the handler runs after the client gave up
            server.stop.wait(server.late)
        server.hits.append(self.path)
        path = self.path.split("?")[0]
        try:
            if path in ("/image.png", "/other.png"):
                self._send(200, PNG if path == "/image.png" else _png((200, 20, 20)), "image/png")
            elif path == "/redirect":
                self._redirect("/image.png")
            elif path == "/redirect-absolute":
                self._redirect(f"http://127.0.0.1:{server.server_port}/image.png")
            elif path == "/redirect-chain":
                self._redirect("/redirect")
            elif path == "/loop":
                self._redirect("/loop")
            elif path == "/to-file":
                self._redirect("file:///etc/passwd")
            elif path == "/to-metadata":
                self._redirect("http://169.254.169.254/latest/meta-data/")
            elif path == "/big":
                self._send(200, b"\x89PNG\r\n\x1a\n" + b"0" * BIG, "image/png")
            elif path == "/big-unsized":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                for _ in range(BIG // 65536 + 1):
                    self.wfile.write(b"0" * 65536)
            elif path == "/odd-length":  # a Latin-1 '²' is a digit to str.isdigit(), not to int()
                self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: image/png\r\nContent-Length: \xb2\r\n\r\n" + PNG)
            elif path == "/slow":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                for _ in range(50):  # one byte every 0.1 s, 5 s at most
                    if server.stop.wait(0.1):
                        return
                    self.wfile.write(b"0")
                    self.wfile.flush()
            elif path == "/slow-headers":
                server.stop.wait(5)
            elif path in TRICKLES:  # every read gets a byte in time, the response never ends in time
                self._trickle(TRICKLES[path])
            else:
                self._send(404, b"not here", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up: exactly what a limit should do

    def _trickle(self, parts: tuple[bytes, bytes]) -> None:
        """Send ``parts[0]`` at once, then ``parts[1]`` a byte every 0.1 s (5 s at most)."""
        self.wfile.write(parts[0])
        self.wfile.flush()
        for byte in parts[1][:50]:
            if self.server.stop.wait(0.1):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def _send(self, status: int, body: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.hits = []
    httpd.late = 0.0
    httpd.stop = threading.Event()
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.stop.set()
        httpd.shutdown()
        httpd.server_close()


def url(server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_port}{path}"


def article(tmp_path: Path, *sources: str) -> Path:
    images = "".join(f'<p>Before image {n}.</p><figure><img src="{s}" alt="remote picture {n}"></figure>'
                     for n, s in enumerate(sources, 1))
    path = tmp_path / "remote.html"
    path.write_text(f"<title>Remote images</title><p>Opening words stay.</p>{images}<p>Closing words stay.</p>")
    return path


def epub_images(path: Path) -> list[bytes]:
    """The article images of an EPUB (the generated cover is not one)."""
    with zipfile.ZipFile(path) as z:
        return [z.read(n) for n in z.namelist()
                if n.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".svg")) and "cover" not in n.lower()]


def pdf_image_count(path: Path) -> int:
    return sum(len(page.images) for page in PdfReader(str(path)).pages)


# --- fetching ---------------------------------------------------------------------------------------
def test_remote_image_is_fetched_into_every_edition_once(server, tmp_path: Path) -> None:
    source = article(tmp_path, url(server, "/image.png"))
    written = exporter.export([source], "epub,pdf,txt", tmp_path / "out", allow_private=True)
    files = {p.suffix: p for p in written}
    assert PNG in epub_images(files[".epub"])
    assert pdf_image_count(files[".pdf"]) == 1
    assert "[Image: remote picture 1]" in files[".txt"].read_text()
    assert server.hits == ["/image.png"], "one fetch per book, shared by every writer"


def test_private_address_is_refused_without_allow_private(server, tmp_path: Path) -> None:
    source = article(tmp_path, url(server, "/image.png"))
    written = exporter.export([source], "epub,pdf,txt", tmp_path / "out")
    files = {p.suffix: p for p in written}
    assert server.hits == []
    assert epub_images(files[".epub"]) == [] and pdf_image_count(files[".pdf"]) == 0
    assert "remote picture 1" in files[".txt"].read_text()
    with pytest.raises(ResourceDenied, match="allow-private"):
        ResourcePolicy().fetch(url(server, "/image.png"))


def test_offline_makes_no_network_attempt(server, tmp_path: Path, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: calls.append("dns") or [])
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: calls.append("connect"))
    source = article(tmp_path, url(server, "/image.png"), "https://example.org/picture.png")
    written = exporter.export([source], "epub,pdf,txt", tmp_path / "out", offline=True, allow_private=True)
    assert calls == [] and server.hits == []
    assert "remote picture 2" in next(p for p in written if p.suffix == ".txt").read_text()


# --- redirects --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/redirect", "/redirect-absolute", "/redirect-chain"])
def test_redirects_are_followed(server, path: str) -> None:
    resource = ResourcePolicy(allow_private=True).fetch(url(server, path))
    assert resource.data == PNG and resource.media_type == "image/png"
    assert server.hits[-1] == "/image.png"


def test_redirect_loop_stops_at_the_limit(server) -> None:
    policy = ResourcePolicy(allow_private=True, max_redirects=3)
    with pytest.raises(ResourceUnavailable, match="too many redirects"):
        policy.fetch(url(server, "/loop"))
    assert len(server.hits) == 4


def test_redirect_to_another_scheme_is_refused(server) -> None:
    with pytest.raises(ResourceDenied, match="non-web"):
        ResourcePolicy(allow_private=True).fetch(url(server, "/to-file"))


def test_redirect_to_metadata_address_is_refused(server) -> None:
    """Even with --allow-private the address is checked again (and the guard sees no traffic there)."""
    policy = ResourcePolicy(allow_private=False)
    _pretend_public(policy, server)
    with pytest.raises(ResourceDenied, match="169.254.169.254"):
        policy.fetch(f"http://images.test:{server.server_port}/to-metadata")
    assert server.hits == ["/to-metadata"]


def _pretend_public(policy: ResourcePolicy, server) -> None:
    """Make ``images.test`` a public host that lives on the test server (no DNS involved)."""
    real = policy._checked_address

    def checked(target: str, *rest) -> str:
        return "127.0.0.1" if target.startswith(("http://images.test:", "https://images.test:")) else real(target, *rest)

    policy._checked_address = checked  # type: ignore[method-assign]


def test_redirect_to_loopback_is_rechecked_and_leaves_no_trace(server, tmp_path: Path, monkeypatch) -> None:
    """A 'public' page redirects to http://127.0.0.1/: refused at the second hop, in every edition."""
    real = ResourcePolicy._checked_address

    def checked(self, target: str, *rest) -> str:
        return "127.0.0.1" if target.startswith("http://images.test:") else real(self, target, *rest)

    monkeypatch.setattr(ResourcePolicy, "_checked_address", checked)
    source = article(tmp_path, f"http://images.test:{server.server_port}/redirect-absolute")
    written = exporter.export([source], "epub,pdf,txt", tmp_path / "out")
    files = {p.suffix: p for p in written}
    assert server.hits == ["/redirect-absolute"], "the loopback target must never be requested"
    assert epub_images(files[".epub"]) == [] and pdf_image_count(files[".pdf"]) == 0
    for path in files.values():
        assert b"127.0.0.1" not in path.read_bytes()
    assert "Closing words stay." in files[".txt"].read_text()


def test_connection_goes_to_the_checked_address(server) -> None:
    """DNS rebinding: the host name never resolves again after the check; the checked address is used."""
    policy = ResourcePolicy()
    _pretend_public(policy, server)
    assert policy.fetch(f"http://images.test:{server.server_port}/image.png").data == PNG


# --- size and time ----------------------------------------------------------------------------------
def test_a_content_length_that_is_no_number_is_ignored(server) -> None:
    """The body's own size decides; the header '²' once crashed int() (exit 70)."""
    policy = ResourcePolicy(allow_private=True, max_bytes=1_000_000)
    assert policy.fetch(url(server, "/odd-length")).data == PNG


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_oversized_response_is_cut_off(server, path: str) -> None:
    policy = ResourcePolicy(allow_private=True, max_bytes=1_000_000)
    started = time.monotonic()
    with pytest.raises(ResourceDenied, match="limit"):
        policy.fetch(url(server, path))
    assert time.monotonic() - started < 5


def test_book_total_is_capped_across_articles(server) -> None:
    policy = ResourcePolicy(allow_private=True, max_total_bytes=len(PNG) + 10)
    policy.for_root(None).fetch(url(server, "/image.png"))
    with pytest.raises(ResourceDenied, match="in all"):
        policy.for_root(None).fetch(url(server, "/other.png"))


@pytest.mark.parametrize("path", ["/slow", "/slow-headers", *TRICKLES])
def test_slow_response_times_out_within_the_limit(server, path: str) -> None:
    """The fetch timeout is one deadline for the whole response, however the bytes trickle in."""
    policy = ResourcePolicy(allow_private=True, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(ResourceUnavailable, match="timed out|timeout"):
        policy.fetch(url(server, path))
    assert time.monotonic() - started < 2.5


def _until(condition, seconds: float = 10) -> None:
    """Wait (a bounded time) for ``condition()``."""
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        time.sleep(0.02)


@pytest.mark.parametrize("late", [0.0, 1.0], ids=["", "server-late"])
@pytest.mark.parametrize("path", ["/slow", "/trickle-headers"])
def test_slow_image_leaves_alt_text_in_the_editions(server, tmp_path: Path, path: str, late: float,
                                                    monkeypatch) -> None:
    """One request, given up at the fetch timeout, and not made again by the next writer.

    The requests are counted where they are made (the connections the policy opens): the server may
    record a request only after the client has given up on it (at load 10 its handler ran after the
    0.5 s timeout had passed and the export had ended); ``late`` makes it so every time.
    """
    from exporter import resources

    connections: list[tuple] = []
    connect = socket.create_connection
    monkeypatch.setattr(resources.socket, "create_connection",
                        lambda address, *a, **k: connections.append(address) or connect(address, *a, **k))
    server.late = late
    source = article(tmp_path, url(server, path))
    started = time.monotonic()
    written = exporter.export([source], "epub,txt", tmp_path / "out", allow_private=True, fetch_timeout=0.5)
    assert time.monotonic() - started < 10
    assert "remote picture 1" in next(p for p in written if p.suffix == ".txt").read_text()
    assert connections == [("127.0.0.1", server.server_port)], "a failed fetch is not retried by the next writer"
    _until(lambda: server.hits)
    assert server.hits == [path], "the one request was this image's"


def test_trickled_tls_handshake_times_out(monkeypatch) -> None:
    """A server that trickles its side of the TLS handshake is cut off at the deadline too."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"\x16\x03\x03\x40\x00")  # a handshake record of 16 KB is coming...
            while not stop.wait(0.1):
                try:
                    conn.sendall(b"\x02")  # ... a byte at a time
                except OSError:
                    return

    threading.Thread(target=serve, daemon=True).start()
    policy = ResourcePolicy(timeout=1.0)
    policy._checked_address = lambda target, *rest: "127.0.0.1"  # type: ignore[method-assign]
    started = time.monotonic()
    try:
        with pytest.raises(ResourceUnavailable, match="timed out"):
            policy.fetch(f"https://images.test:{listener.getsockname()[1]}/image.png")
        assert time.monotonic() - started < 2.5
    finally:
        stop.set()
        listener.close()


def test_slow_name_lookup_counts_towards_the_deadline(monkeypatch) -> None:
    """A resolver that takes its time (the system's tries for up to 30 s) is abandoned at the deadline."""
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: time.sleep(3) or [])
    started = time.monotonic()
    with pytest.raises(ResourceUnavailable, match="timed out"):
        ResourcePolicy(timeout=0.5).fetch("http://slow-dns.test/image.png")
    assert time.monotonic() - started < 1.5


def test_too_many_images_fail_the_article(tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"i{n}.png").write_bytes(_png((n * 40, 0, 0)))
    source = article(tmp_path, "i0.png", "i1.png", "i2.png")
    with pytest.raises(LimitError, match="more than 2 images"):
        exporter.export([source], "pdf", tmp_path / "out", max_images=2)
    assert not (tmp_path / "out" / "remote-images.pdf").exists()
    assert len(exporter.export([source], "pdf", tmp_path / "out", max_images=3)) == 1
    policy = ResourcePolicy(root=tmp_path, max_resources=2)
    policy.fetch("i0.png"), policy.for_root(tmp_path).fetch("i1.png"), policy.fetch("i0.png")  # cached: not counted
    with pytest.raises(LimitError):
        policy.for_root(tmp_path).fetch("i2.png")


# --- WeasyPrint and addresses ---------------------------------------------------------------------
def test_weasyprint_reads_only_through_the_policy(server, tmp_path: Path) -> None:
    from weasyprint import CSS, HTML

    from helpers import require

    require("system-fonts")  # bare HTML, no theme fonts

    from exporter.writers._weasyprint import PolicyFetcher

    (tmp_path / "ok.png").write_bytes(PNG)
    html = (f'<link rel="attachment" href="file:///etc/passwd"><link rel="stylesheet" href="{url(server, "/x.css")}">'
            f'<style>@import url("file:///etc/passwd");</style>'
            f'<p>Words<img src="{url(server, "/image.png")}"><img src="file:///etc/passwd"><img src="ok.png"></p>')
    fetcher = PolicyFetcher(ResourcePolicy(root=tmp_path))
    pdf = HTML(string=html, url_fetcher=fetcher, base_url=str(tmp_path) + "/").write_pdf(
        stylesheets=[CSS(string='@import url("file:///etc/passwd");', url_fetcher=fetcher)])
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments
    assert sum(len(p.images) for p in reader.pages) == 1  # only the file inside the folder
    assert server.hits == []


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1",
                                     "fc00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::"])
def test_non_public_addresses(address: str) -> None:
    assert not is_public(address)


#: IPv6 forms that carry a private, loopback or metadata IPv4 address (and ranges that are not global).
IPV6_HIDING_PRIVATE = [
    "64:ff9b::a9fe:a9fe",              # NAT64 of 169.254.169.254
    "64:ff9b::7f00:1",                 # NAT64 of 127.0.0.1
    "64:ff9b:1::a9fe:a9fe",            # NAT64 local-use prefix (never global)
    "2002:a9fe:a9fe::1",               # 6to4 of 169.254.169.254
    "2002:7f00:1::",                   # 6to4 of 127.0.0.1
    "2002:0a00:0001::1",               # 6to4 of 10.0.0.1
    "::7f00:1",                        # IPv4-compatible 127.0.0.1
    "::a9fe:a9fe",                     # IPv4-compatible 169.254.169.254
    "::ffff:0:a9fe:a9fe",              # IPv4-translated 169.254.169.254
    "::ffff:0:7f00:1",                 # IPv4-translated 127.0.0.1
    "::ffff:7f00:1",                   # IPv4-mapped 127.0.0.1, hex spelling
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1
    "2001:0:a9fe:a9fe::1",             # Teredo whose server is 169.254.169.254
    "2a00:1450:4001::5efe:a9fe:a9fe",  # ISATAP interface of 169.254.169.254
    "fec0::1", "100::1", "2001:db8::1", "3fff::1", "5f00::1", "2001:10::1", "ff0e::1", "4000::1",
]


@pytest.mark.parametrize("address", IPV6_HIDING_PRIVATE)
def test_ipv6_forms_of_private_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2001:4860:4860::8888",
                                     "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8",
                                     "2001:0:4136:e378:8000:63bf:f7f7:f7f7"])
def test_public_addresses(address: str) -> None:
    """Public addresses, and the IPv6 forms of public IPv4 addresses (NAT64, 6to4, mapped, Teredo)."""
    assert is_public(address)


def _resolving(monkeypatch, table: dict[str, list[str]]) -> list[str]:
    """A resolver override: names in ``table`` resolve to its addresses, anything else fails; returns the asked names."""
    asked: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        asked.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                 (a, port or 0, 0, 0) if ":" in a else (a, port or 0)) for a in table[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize("address", [a for a in IPV6_HIDING_PRIVATE if a.count(":") > 2][:14])
def test_dns_name_for_an_ipv6_form_of_a_private_address_is_refused(server, address: str, monkeypatch) -> None:
    """Through a DNS name (resolver override), alone or behind a public answer: refused before any connection."""
    asked = _resolving(monkeypatch, {"images.test": [address], "mixed.test": ["2606:4700:4700::1111", address]})
    for host in ("images.test", "mixed.test"):
        with pytest.raises(ResourceDenied, match="private or local"):
            ResourcePolicy().fetch(f"http://{host}:{server.server_port}/image.png")
    assert asked == ["images.test", "mixed.test"] and server.hits == []


@pytest.mark.parametrize("host", ["[::ffff:0:7f00:1]", "[::7f00:1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]",
                                  "2130706433", "0x7f.0.0.1", "017700000001", "127.1", "localhost."])
def test_address_literals_of_loopback_are_refused(server, host: str) -> None:
    """Every spelling of 127.0.0.1 in a URL (the system resolver reads the numeric ones) is refused."""
    with pytest.raises((ResourceDenied, ResourceUnavailable)):
        ResourcePolicy().fetch(f"http://{host}:{server.server_port}/image.png")
    assert server.hits == []


def test_ipv6_form_through_a_dns_name_leaves_no_trace_in_any_edition(server, tmp_path: Path, monkeypatch) -> None:
    _resolving(monkeypatch, {"metadata.test": ["64:ff9b::a9fe:a9fe"], "images.test": ["::ffff:0:7f00:1"]})
    source = article(tmp_path, "http://metadata.test/latest/meta-data/", f"http://images.test:{server.server_port}/image.png")
    written = exporter.export([source], "epub,pdf,txt", tmp_path / "out")
    files = {p.suffix: p for p in written}
    assert server.hits == [] and epub_images(files[".epub"]) == [] and pdf_image_count(files[".pdf"]) == 0
    assert "remote picture 2" in files[".txt"].read_text()


# --- HTTPS to a pinned address -------------------------------------------------------------------------
def _certificate(tmp_path: Path, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` (openssl, a second at most)."""
    import subprocess

    from helpers import require

    require("openssl")
    key, cert = tmp_path / f"{host}.key", tmp_path / f"{host}.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host}"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def tls_server(tmp_path: Path):
    import ssl

    cert, key = _certificate(tmp_path, "images.test")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.hits, httpd.stop, httpd.daemon_threads, httpd.late = [], threading.Event(), True, 0.0
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd, cert
    finally:
        httpd.stop.set()
        httpd.shutdown()
        httpd.server_close()


def _trusting(cert: Path, monkeypatch) -> None:
    """Let the policy's TLS context trust the test certificate (and nothing is loosened otherwise)."""
    import ssl

    import exporter.resources as resources

    real = ssl.create_default_context

    def context(*args, **kwargs):
        made = real(*args, **kwargs)
        made.load_verify_locations(cafile=str(cert))
        return made

    monkeypatch.setattr(resources.ssl, "create_default_context", context)


def test_https_to_the_pinned_address_checks_the_host_name(tls_server, monkeypatch) -> None:
    server, cert = tls_server
    _trusting(cert, monkeypatch)
    policy = ResourcePolicy()
    _pretend_public(policy, server)
    assert policy.fetch(f"https://images.test:{server.server_port}/image.png").data == PNG


def test_https_certificate_for_another_name_is_refused(tls_server, monkeypatch) -> None:
    """Pinning the address does not pin trust: a certificate for another name fails."""
    server, cert = tls_server
    _trusting(cert, monkeypatch)
    policy = ResourcePolicy()
    real = policy._checked_address
    policy._checked_address = lambda target, *rest: "127.0.0.1" if "other.test" in target else real(target, *rest)
    with pytest.raises(ResourceUnavailable, match="certificate|CERTIFICATE|hostname"):
        policy.fetch(f"https://other.test:{server.server_port}/image.png")
    assert server.hits == []


def test_https_untrusted_certificate_is_refused(tls_server) -> None:
    server, _ = tls_server
    policy = ResourcePolicy()
    _pretend_public(policy, server)
    with pytest.raises(ResourceUnavailable, match="certificate|CERTIFICATE"):
        policy.fetch(f"https://images.test:{server.server_port}/image.png")
    assert server.hits == []


# --- standard input has no folder ------------------------------------------------------------------
def _exporter(*args: str, cwd: Path, stdin: bytes):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "-m", "exporter", *args], capture_output=True, cwd=cwd, input=stdin,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(root)})


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
def test_standard_input_reads_no_local_file_unless_given_a_base(tmp_path: Path, batch: bool) -> None:
    """``curl … | exporter export -`` run in a home folder must not embed ``Pictures/private.png``.

    One article from stdin and stdin in a batch of files agree: no folder; ``--base DIR`` names one.
    """
    home = tmp_path / "home"
    (home / "Pictures").mkdir(parents=True)
    private = _png((201, 17, 93), (24, 24))
    (home / "Pictures" / "private.png").write_bytes(private)
    (home / "other.html").write_text("<title>Other</title><p>Another article, from a file.</p>")
    page = b'<title>Piped</title><p>Words from the pipe.</p><img src="Pictures/private.png" alt="private alt">'
    extra = [str(home / "other.html")] if batch else []
    done = _exporter("export", "-", *extra, "-f", "epub", "-o", "out", cwd=home, stdin=page)
    assert done.returncode == 0, done.stderr
    assert epub_images(home / "out" / "piped.epub") == []
    if batch:
        done = _exporter("export", "-", *extra, "-f", "epub", "-o", "named", "--base", str(home), cwd=tmp_path,
                         stdin=page)
        assert done.returncode == 0, done.stderr
        assert private in epub_images(tmp_path / "named" / "piped.epub"), "--base names the folder stdin reads"
    else:
        bad = _exporter("export", "-", "--base", str(home / "nowhere"), cwd=home, stdin=page)
        assert bad.returncode == 2 and bad.stderr.count(b"\n") == 1 and b"--base" in bad.stderr
        with pytest.MonkeyPatch.context() as patch:
            import io
            import sys

            patch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(page)))
            written = exporter.export(["-"], "epub", tmp_path / "api", base=str(home))
        assert private in epub_images(written[0]), "the API takes base= as the CLI takes --base"


# --- hard links ------------------------------------------------------------------------------------
def test_hardlink_beside_the_article_is_not_followed(tmp_path: Path) -> None:
    """A hard link inside the folder to a file elsewhere is that file: refused unless allowed."""
    secret = tmp_path / "elsewhere" / "private.png"
    secret.parent.mkdir()
    secret.write_bytes(_png((7, 77, 177), (20, 20)))
    folder = tmp_path / "article"
    folder.mkdir()
    (folder / "own.png").write_bytes(PNG)
    try:
        (folder / "linked.png").hardlink_to(secret)
    except OSError as exc:
        pytest.skip(f"no hard links here: {exc}")
    source = folder / "linked.html"
    source.write_text('<title>Linked</title><p>Words stay.</p><img src="linked.png" alt="linked picture">'
                      '<p>More words.</p><img src="own.png" alt="own picture">')
    written = exporter.export([source], "epub,txt", tmp_path / "out")
    images = epub_images(next(p for p in written if p.suffix == ".epub"))
    assert secret.read_bytes() not in images and PNG in images
    assert "linked picture" in next(p for p in written if p.suffix == ".txt").read_text()
    with pytest.raises(ResourceDenied, match="hard links"):
        ResourcePolicy(root=folder).fetch("linked.png")
    assert ResourcePolicy(root=folder, allow_hardlinks=True).fetch("linked.png").data == secret.read_bytes()
    written = exporter.export([source], "epub", tmp_path / "allowed", allow_hardlinks=True)
    assert secret.read_bytes() in epub_images(written[0])


# --- a time budget per article ----------------------------------------------------------------------
def _trickling_article(tmp_path: Path, server, count: int = 12) -> Path:
    return article(tmp_path, *(url(server, f"/trickle-headers?n={n}") for n in range(count)))


def _warm(tmp_path: Path) -> None:
    """Import the writers first: a cold import under a loaded machine would spend the short budgets below."""
    (tmp_path / "warm.html").write_text("<title>Warm</title><p>Warming up.</p>")
    exporter.export([tmp_path / "warm.html"], "epub,txt", tmp_path / "warm")


def test_article_budget_bounds_many_slow_images(server, tmp_path: Path) -> None:
    """12 trickling images cost 12 × the fetch timeout; the article's budget ends it (no file written)."""
    _warm(tmp_path)
    source = _trickling_article(tmp_path, server)
    started = time.monotonic()
    with pytest.raises(LimitError, match="time limit of 2 s.*--max-article-seconds"):
        exporter.export([source], "epub,txt", tmp_path / "out", allow_private=True, fetch_timeout=1,
                        max_article_seconds=2)
    assert time.monotonic() - started < 6
    assert len(server.hits) <= 3
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_article_budget_holds_in_a_thread(server, tmp_path: Path) -> None:
    """A web server or thread pool calling the API: the fetch waits no longer than the budget left."""
    from concurrent.futures import ThreadPoolExecutor

    _warm(tmp_path)
    source = _trickling_article(tmp_path, server)
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        job = pool.submit(exporter.export, [source], "epub", tmp_path / "out", allow_private=True,
                          fetch_timeout=3, max_article_seconds=1.5)
        with pytest.raises(LimitError, match="time limit of 1.5 s"):
            job.result(timeout=60)
    assert time.monotonic() - started < 6 and len(server.hits) <= 1
    assert not [t for t in threading.enumerate() if t.name == "exporter-time-limit"]


def test_article_budget_holds_in_batch_workers(server, tmp_path: Path) -> None:
    """``-j 2``: each worker process enforces it (8 images × 1 s would pass a 3 s budget otherwise)."""
    slow = _trickling_article(tmp_path, server, 8)
    fine = tmp_path / "fine.html"
    fine.write_text("<title>Fine</title><p>A quick article.</p>")
    done = _exporter("export", str(slow), str(fine), "-f", "epub", "-o", "out", "-j", "2", "--allow-private",
                     "--fetch-timeout", "1", "--max-article-seconds", "3", cwd=tmp_path, stdin=b"")
    assert done.returncode == 7, done.stderr
    assert b"remote.html: the article took longer than its time limit of 3 s" in done.stderr
    assert not (tmp_path / "out" / "remote-images.epub").exists() and len(server.hits) < 8


@pytest.mark.parametrize("bad", ["nan", "inf", "-1"])
def test_article_budget_takes_only_seconds(tmp_path: Path, bad: str) -> None:
    from exporter.errors import UsageError

    with pytest.raises(UsageError, match="--max-article-seconds"):
        exporter.export([article(tmp_path)], "txt", tmp_path / "out", max_article_seconds=bad)


def test_data_images_count_towards_max_images(tmp_path: Path) -> None:
    import base64

    uris = [f"data:image/png;base64,{base64.b64encode(_png((n * 60, 9, 9))).decode()}" for n in range(3)]
    source = article(tmp_path, *uris, uris[0])
    with pytest.raises(LimitError, match="more than 2 images"):
        exporter.export([source], "epub", tmp_path / "out", max_images=2)
    assert len(exporter.export([source], "epub", tmp_path / "ok", max_images=3)) == 1  # a repeat is not counted


def test_each_distinct_image_is_decoded_once(tmp_path: Path, monkeypatch) -> None:
    """The same large picture under 16 URLs (``?v=1`` … ``?v=16``) is decoded once per size, not 16 times."""
    from exporter import images

    Image.new("RGB", (2600, 1900), (30, 160, 90)).save(tmp_path / "large.png")
    decoded: list[int] = []
    real = images._raster
    monkeypatch.setattr(images, "_raster", lambda data, *a: decoded.append(len(data)) or real(data, *a))
    monkeypatch.setattr(images, "_PREPARED", images._Prepared())
    source = article(tmp_path, *(f"large.png?v={n}" for n in range(1, 17)))
    written = exporter.export([source], "epub,pdf", tmp_path / "out")
    assert len(written) == 2 and len(decoded) == 2, "one decode for the EPUB's size, one for the PDF's"


def test_name_lookups_under_a_striking_clock_never_hang(monkeypatch) -> None:
    """Each lookup starts a thread; a strike in that thread's start hung ``Thread.start`` forever (seen at load 10).

    Tiny budgets in a non-main thread (where the watchdog strikes) over a few thousand lookups: before
    the fix this hung within a second here, every run.
    """
    from exporter import clock
    from exporter.resources import _resolve

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(0, 0, 0, "", ("93.184.216.34", 0))])
    counts = {"lookups": 0, "strikes": 0}
    end = time.monotonic() + 2

    def lookups() -> None:
        while time.monotonic() < end:
            try:
                with clock.time_limit(0.001 * (1 + counts["strikes"] % 5), "tiny"):
                    while True:
                        _resolve("images.test", 5.0)
                        counts["lookups"] += 1
            except clock.Strike:
                counts["strikes"] += 1

    worker = threading.Thread(target=lookups, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), f"hung after {counts}"
    assert counts["strikes"] > 20 and counts["lookups"] > counts["strikes"]
