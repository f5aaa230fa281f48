"""The one resource loader: every image or stylesheet any writer reads comes through here.

A :class:`ResourcePolicy` decides what may be read and reads it:

- ``data:`` URIs are decoded (they are part of the input, already bounded by its size limit; they
  count towards the book's resources like any other image);
- relative paths and ``file:`` URLs are read only from inside the input's own
  folder (after resolving ``..`` and symlinks), and only regular files with a
  single hard link (unless ``allow_hardlinks``);
- ``http``/``https`` are fetched unless ``offline`` (then no DNS lookup, no
  socket: nothing), never from loopback, link-local, private or other non-global
  addresses unless ``allow_private``; the connection goes to the very address
  that was checked (a second DNS answer cannot rebind it), redirects are
  re-checked hop by hop, and each response has a deadline and a size cap;
  environment proxies are not used;
- everything else is refused.

Every copy made with :meth:`ResourcePolicy.for_root` (one per article of a book)
shares one :class:`Budget`: the per-book byte cap, the image count and the cache
hold across articles and across writers.

WeasyPrint gets the same policy through :meth:`ResourcePolicy.weasyprint_fetcher`
(its default fetcher would read any local file and the network).
"""
from __future__ import annotations

import base64
import dataclasses
import http.client
import ipaddress
import mimetypes
import os
import re
import socket
import ssl
import stat
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .clock import remaining, start_thread
from .errors import LimitError, ResourceDenied
from .options import LIMIT_OPTIONS, RESOURCE_OPTIONS, complete, default_of

#: Media types by leading bytes: we trust content, not names or headers.
_SNIFF: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
)
REDIRECTS = (301, 302, 303, 307, 308)
USER_AGENT = "exporter (+article editions)"


def sniff_media_type(data: bytes, hint: str | None = None) -> str:
    """The media type of ``data`` from its first bytes (``hint`` only for text formats)."""
    for magic, media_type in _SNIFF:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096].lower()):
        return "image/svg+xml"
    return (hint or "application/octet-stream").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Resource:
    """Bytes read under the policy, with the media type their content shows."""

    url: str
    data: bytes
    media_type: str


class ResourceUnavailable(Exception):
    """A permitted resource that could not be had (offline, unreachable, missing). Not an error for users."""


class FetchTimedOut(ResourceUnavailable):
    """A remote resource that did not arrive within ``--fetch-timeout`` (or the article's time budget)."""


class TooLarge(ResourceDenied):
    """A resource over its size cap."""


@dataclass(frozen=True)
class Page:
    """A web page read under the policy (:meth:`ResourcePolicy.fetch_page`): an input, not a book's resource."""

    #: the address asked for
    url: str
    #: the address the page came from after every redirect: the base of its relative links and images
    final_url: str
    data: bytes
    #: the media type the server declared (lower case, no parameters; "" when it sent none)
    media_type: str
    #: the charset the server declared (None when it sent none)
    charset: str | None


@dataclass
class Budget:
    """What one book may still read: shared by every per-article copy of a policy."""

    total: int = 0
    fetched: int = 0
    cache: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __getstate__(self) -> dict:
        """What another process needs to go on reading for the same book (the PDF's, exporter.editions):
        the counts and the resources read, not the lock."""
        with self.lock:
            return {"total": self.total, "fetched": self.fetched, "cache": dict(self.cache)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, lock=threading.Lock())


@dataclass
class ResourcePolicy:
    """What may be read for one export, and the reading of it."""

    root: Path | None = None
    offline: bool = False
    allow_private: bool = False
    #: read local files that have other names elsewhere (a hard link beside the article may be to any file)
    allow_hardlinks: bool = False
    #: seconds for one remote resource, connection to last byte, redirects included
    timeout: float = default_of("fetch_timeout")
    max_bytes: int = int(default_of("max_resource_mb") * 1_000_000)
    max_total_bytes: int = int(default_of("max_book_resources_mb") * 1_000_000)
    #: most distinct resources one book reads: local, remote and ``data:`` (each costs a decode)
    max_resources: int = default_of("max_images")
    max_redirects: int = 5
    #: seconds a PDF may take to lay out (0: no limit); see :func:`exporter.writers._weasyprint.render_limit`
    render_timeout: float = default_of("max_render_seconds")
    budget: Budget = field(default_factory=Budget, repr=False)

    @classmethod
    def from_settings(cls, root: Path | None, settings: Mapping[str, Any]) -> "ResourcePolicy":
        """The policy the declared options (RESOURCE_OPTIONS, LIMIT_OPTIONS) describe; defaults from there too."""
        s = complete(RESOURCE_OPTIONS + LIMIT_OPTIONS, settings)
        return cls(root=root, offline=bool(s.offline), allow_private=bool(s.allow_private),
                   allow_hardlinks=bool(s.allow_hardlinks), timeout=s.fetch_timeout,
                   max_bytes=int(s.max_resource_mb * 1_000_000),
                   max_total_bytes=int(s.max_book_resources_mb * 1_000_000),
                   max_resources=int(s.max_images), render_timeout=s.max_render_seconds)

    def for_root(self, root: Path | None) -> "ResourcePolicy":
        """The same policy confined to another input folder (each article of a book has its own)."""
        return dataclasses.replace(self, root=root)  # the same budget: a book's articles share it

    # --- public API -----------------------------------------------------------------------------
    def fetch(self, url: str) -> Resource:
        """Read ``url`` under the policy.

        Raises :class:`ResourceDenied` (not allowed), :class:`ResourceUnavailable`
        (allowed but not had) or :class:`LimitError` (the book reads too many resources).
        """
        url = url.strip()
        scheme = _scheme(url)
        key = (None if scheme == "data" else str(self.root), url)
        with self.budget.lock:
            cached = self.budget.cache.get(key)
            if cached is not None:
                if isinstance(cached, Exception):
                    raise cached
                return cached
            self.budget.fetched += 1
            if self.budget.fetched > self.max_resources:
                raise LimitError(f"{_short(url)}: the book uses more than {self.max_resources} images or other "
                                 f"resources (raise it with --max-images)")
        try:
            if scheme == "data":
                resource = self._data(url)
            elif scheme in ("", "file"):
                resource = self._file(url)
            elif scheme in ("http", "https"):
                resource = self._http(url)
            else:
                raise ResourceDenied(f"{_short(url)}: the {scheme!r} scheme is not allowed")
            self._count(len(resource.data), url)
        except (ResourceDenied, ResourceUnavailable) as exc:
            with self.budget.lock:
                self.budget.cache[key] = exc  # not tried again by the next writer
            raise
        with self.budget.lock:
            self.budget.cache[key] = resource
        return resource

    def try_fetch(self, url: str) -> Resource | None:
        """``fetch``, or None when the resource is denied or unavailable (writers then keep alt text)."""
        try:
            return self.fetch(url)
        except (ResourceDenied, ResourceUnavailable):
            return None

    # --- schemes --------------------------------------------------------------------------------
    def _count(self, size: int, url: str) -> None:
        with self.budget.lock:
            self.budget.total += size
            if self.budget.total > self.max_total_bytes:
                raise ResourceDenied(f"{_short(url)}: the book's resources exceed "
                                     f"{self.max_total_bytes / 1e6:.0f} MB in all")

    def decode_data(self, url: str) -> Resource:
        """A ``data:`` URI decoded under the size limit but not counted (a writer's own prepared image)."""
        return self._data(url)

    def _data(self, url: str) -> Resource:
        header, _, payload = url[5:].partition(",")
        if len(payload) > self.max_bytes * 4 // 3 + 4:
            raise ResourceDenied(f"data: URI over the {self.max_bytes / 1e6:.0f} MB resource limit")
        try:
            if header.lower().endswith(";base64"):
                data = base64.b64decode(payload + "=" * (-len(payload) % 4), validate=False)
            else:
                data = urllib.parse.unquote_to_bytes(payload)
        except ValueError:
            raise ResourceUnavailable("data: URI cannot be decoded") from None
        hint = header.split(";")[0] or "text/plain"
        return Resource(url=url, data=data, media_type=sniff_media_type(data, hint))

    def _file(self, url: str) -> Resource:
        """A regular file inside the input's folder, opened without following a late-planted symlink."""
        if self.root is None:
            raise ResourceDenied(f"{_short(url)}: local files are only read from the input's folder")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "file" and parts.netloc not in ("", "localhost"):
            raise ResourceDenied(f"{_short(url)}: remote file: URLs are not allowed")
        raw = urllib.parse.unquote(parts.path)
        if not raw:
            raise ResourceUnavailable(f"{_short(url)}: no file named")
        root = self.root.resolve()
        candidate = Path(raw) if raw.startswith("/") else root / raw
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            # Say nothing about whether something exists outside the folder.
            if not _inside(root, Path(os.path.abspath(candidate))):
                raise ResourceDenied(f"{_short(url)}: outside the input's folder") from None
            raise ResourceUnavailable(f"{_short(url)}: no such file") from None
        if not _inside(root, resolved):
            raise ResourceDenied(f"{_short(url)}: outside the input's folder")
        try:
            fd = os.open(resolved, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise ResourceUnavailable(f"{_short(url)}: cannot be read ({exc.strerror})") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise ResourceDenied(f"{_short(url)}: not a regular file")
        if info.st_nlink > 1 and not self.allow_hardlinks:
            # A hard link is the file itself under a second name: the folder check cannot see where
            # else it lives (~/.ssh/id_rsa linked in beside the article is inside the folder).
            os.close(fd)
            raise ResourceDenied(f"{_short(url)}: a file with {info.st_nlink} hard links may belong elsewhere "
                                 f"(use --allow-hardlinks to read it)")
        with os.fdopen(fd, "rb") as fh:
            if info.st_size > self.max_bytes:
                raise ResourceDenied(f"{_short(url)}: {info.st_size / 1e6:.1f} MB is over the resource limit")
            data = fh.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise ResourceDenied(f"{_short(url)}: over the resource limit")
        return Resource(url=url, data=data, media_type=sniff_media_type(data, mimetypes.guess_type(resolved.name)[0]))

    def _http(self, url: str) -> Resource:
        _, headers, data = self._web(url, "image/*, */*;q=0.5", self.max_bytes)
        return Resource(url=url, data=data, media_type=sniff_media_type(data, headers.get("Content-Type")))

    def fetch_page(self, url: str, max_bytes: int | None) -> Page:
        """Read the web page ``url`` as an input: the same address checks, redirects checked hop by hop,
        deadline and clock as any resource, capped at ``max_bytes`` (the input limit; None: none), not
        counted among the book's resources.

        Raises :class:`ResourceDenied` (refused; :class:`TooLarge` over the cap), :class:`FetchTimedOut`
        or :class:`ResourceUnavailable` (offline, unreachable, an HTTP error).
        """
        url = url.strip()
        if _scheme(url) not in ("http", "https"):
            raise ResourceDenied(f"{_short(url)}: only http and https pages can be fetched")
        final, headers, data = self._web(url, "text/html, application/xhtml+xml;q=0.9, */*;q=0.5", max_bytes)
        declared = headers.get("Content-Type")
        return Page(url=url, final_url=final, data=data,
                    media_type=headers.get_content_type() if declared else "",
                    charset=headers.get_content_charset() if declared else None)

    def _web(self, url: str, accept: str, max_bytes: int | None) -> tuple[str, http.client.HTTPMessage, bytes]:
        """GET ``url`` following redirects, each hop's address checked: the final URL, headers and body."""
        if self.offline:
            raise ResourceUnavailable(f"{_short(url)}: offline")
        # the article's budget (exporter.clock) may end sooner: a read blocked in a thread cannot be struck
        deadline = time.monotonic() + min(self.timeout, remaining())
        current = url
        for _ in range(self.max_redirects + 1):
            parts = urllib.parse.urlsplit(current)
            if parts.scheme not in ("http", "https"):
                raise ResourceDenied(f"{_short(url)}: redirected to a non-web URL")
            address = self._checked_address(current, deadline)
            status, headers, data = self._get(parts, address, deadline, url, accept, max_bytes)
            if status in REDIRECTS and headers.get("Location"):
                current = urllib.parse.urljoin(current, headers["Location"].strip())
                continue
            if status != 200:
                raise ResourceUnavailable(f"{_short(url)}: HTTP {status}")
            return current, headers, data
        raise ResourceUnavailable(f"{_short(url)}: too many redirects")

    def _get(self, parts: urllib.parse.SplitResult, address: str, deadline: float, original: str,
             accept: str, max_bytes: int | None) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One GET to ``address`` (already checked) for ``parts``, by ``deadline``, capped at ``max_bytes``.

        Socket timeouts bound each read, not the response: a server trickling the
        status line, the headers or chunk sizes a byte at a time would never trip
        them. So a :class:`_Cutoff` shuts the connection down at the deadline,
        whatever it is waiting for (TLS handshake, headers, body).
        """
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ResourceDenied(f"{_short(original)}: bad port") from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimedOut(self._timed_out(original))
        cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        conn = cls(parts.hostname, port, address=address, timeout=remaining)
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        cutoff = _Cutoff(conn, remaining)
        try:
            conn.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": accept,
                                                 "Accept-Encoding": "identity", "Connection": "close"})
            response = conn.getresponse()
            if response.status in REDIRECTS:
                return response.status, response.headers, b""
            length = response.headers.get("Content-Length", "")
            if (max_bytes is not None and re.fullmatch(r"[0-9]{1,19}", length.strip())  # not isdigit(): '²' is one
                    and int(length) > max_bytes):
                raise TooLarge(f"{_short(original)}: {int(length) / 1e6:.1f} MB is over the limit of "
                               f"{max_bytes / 1e6:g} MB")
            chunks: list[bytes] = []
            size = 0
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or cutoff.fired:
                    raise FetchTimedOut(self._timed_out(original))
                if conn.sock is not None:
                    conn.sock.settimeout(remaining)
                chunk = response.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise TooLarge(f"{_short(original)}: over the limit of {max_bytes / 1e6:g} MB")
                chunks.append(chunk)
            if cutoff.fired:  # the end of the data may be the cut, not the end of the response
                raise FetchTimedOut(self._timed_out(original))
            return response.status, response.headers, b"".join(chunks)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if cutoff.fired or time.monotonic() >= deadline:
                raise FetchTimedOut(self._timed_out(original)) from None
            raise ResourceUnavailable(f"{_short(original)}: {type(exc).__name__}: {exc}") from None
        finally:
            cutoff.cancel()
            conn.close()

    def _timed_out(self, url: str) -> str:
        return f"{_short(url)}: timed out after {self.timeout:g} s"

    def _checked_address(self, url: str, deadline: float) -> str:
        """The address to connect to: resolved once (by ``deadline``), every answer refused if any is not public."""
        host = urllib.parse.urlsplit(url).hostname
        if not host:
            raise ResourceDenied(f"{_short(url)}: no host")
        try:
            infos = _resolve(host, deadline - time.monotonic())
        except TimeoutError:
            raise FetchTimedOut(self._timed_out(url)) from None
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise ResourceUnavailable(f"{_short(url)}: {exc}") from None
        if not infos:
            raise ResourceUnavailable(f"{_short(url)}: no address")
        addresses = [info[4][0].split("%")[0] for info in infos]
        if not self.allow_private:
            for text in addresses:
                if not is_public(text):
                    raise ResourceDenied(f"{_short(url)}: {text} is a private or local address "
                                         f"(use --allow-private to permit it)")
        return addresses[0]


#: IPv4 ranges Python's ``is_global`` lets through but that are not globally routable unicast.
_IPV4_NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.88.99.0/24", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
))
#: IPv6 forms that carry an IPv4 address the packets end up at: judged by that address.
#: (IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, IPv4-compatible ::/96 and NAT64 64:ff9b::/96
#: carry it in the last 32 bits; 6to4 2002::/16 in bits 16-47; Teredo 2001::/32 has a server and a client.)
_IPV6_LAST_32_BITS = tuple(ipaddress.ip_network(n) for n in ("::ffff:0:0/96", "::ffff:0:0:0/96", "::/96",
                                                             "64:ff9b::/96"))
#: Special-purpose IPv6 ranges inside 2000::/3 (the only global unicast space) that are not globally routable:
#: IETF protocol assignments (Teredo, judged by its IPv4 addresses, aside), documentation, ORCHID, SRv6 SIDs.
_IPV6_NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in (
    "2001::/23", "2001:db8::/32", "2001:10::/28", "2001:20::/28", "3fff::/20", "5f00::/16",
))
_TEREDO = ipaddress.ip_network("2001::/32")
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...] | None:
    """The IPv4 addresses an IPv6 address hands its packets to, or None when it is plain IPv6.

    Covers IPv4-mapped, IPv4-translated (SIIT), IPv4-compatible, NAT64 (64:ff9b::/96), 6to4,
    Teredo (server and client) and ISATAP interface identifiers (``…:0:5efe:a.b.c.d``).
    """
    if any(ip in net for net in _IPV6_LAST_32_BITS):
        return (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF),)
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if ip in _TEREDO:
        server, client = ip.teredo
        return (server, client)
    if (int(ip) >> 32) & 0xFDFFFFFF == 0x00005EFE:  # ISATAP: the IPv4 address is the interface identifier
        return (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF),)
    return None


def is_public(address: str) -> bool:
    """True for a globally routable unicast address.

    An IPv6 address that carries an IPv4 address (:func:`embedded_ipv4`) is judged by
    every IPv4 address inside; any other IPv6 address must be global unicast (2000::/3)
    outside the special-purpose ranges. Everything else (loopback, private, link-local,
    site-local, unique-local, multicast, NAT64 local-use 64:ff9b:1::/48, discard,
    documentation, reserved) is not public.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        inside = embedded_ipv4(ip)
        if inside is not None:
            return all(_public_ipv4(v4) for v4 in inside)
        return ip in _GLOBAL_UNICAST and not any(ip in net for net in _IPV6_NOT_GLOBAL)
    return _public_ipv4(ip)


def _public_ipv4(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global and not any(ip in net for net in _IPV4_NOT_GLOBAL)


def _resolve(host: str, seconds: float) -> list:
    """``getaddrinfo`` within ``seconds``: the system resolver has its own, longer timeouts.

    The lookup runs in a daemon thread; past the time it is abandoned (it ends
    when the resolver gives up) and :class:`TimeoutError` is raised.
    """
    if seconds <= 0:
        raise TimeoutError
    outcome: list = []

    def lookup() -> None:
        try:
            outcome.append(socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP))
        except BaseException as exc:  # handed to the caller
            outcome.append(exc)

    worker = threading.Thread(target=lookup, daemon=True, name="exporter-dns")
    start_thread(worker)
    worker.join(seconds)
    if not outcome:
        raise TimeoutError
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


class _Cutoff:
    """Shuts a connection's socket down after ``seconds``, and again every 50 ms until cancelled.

    A shut-down socket wakes every blocked read (plain or TLS) with an end of
    file or an error; ``fired`` tells the reader that this was the deadline.
    Striking again covers a socket made just after a strike (connect, TLS).
    """

    def __init__(self, conn: http.client.HTTPConnection, seconds: float) -> None:
        self.conn = conn
        self.fired = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(seconds,), daemon=True, name="exporter-fetch-cutoff")
        start_thread(self._thread)

    def _watch(self, seconds: float) -> None:
        delay = seconds
        while not self._stop.wait(delay):
            self.fired = True
            sock = self.conn.sock
            if sock is not None:
                try:
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the descriptor, under TLS too
                except OSError:
                    pass
            delay = 0.05

    def cancel(self) -> None:
        self._stop.set()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a fixed address, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address; the certificate is still checked against the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # the handshake happens with the TLS socket in place, so the cutoff can reach it
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host, do_handshake_on_connect=False)
        self.sock.do_handshake()


def _inside(root: Path, path: Path) -> bool:
    return path == root or root in path.parents


def _scheme(url: str) -> str:
    head, sep, _ = url.partition(":")
    if not sep or not head or not head[0].isalpha() or not all(c.isalnum() or c in "+.-" for c in head):
        return ""
    if len(head) == 1:  # a Windows drive letter, not a scheme
        return ""
    return head.lower()


def _short(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"
