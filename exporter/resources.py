"""The one resource loader: every image or stylesheet any writer reads comes through here.

A :class:`ResourcePolicy` decides what may be read and reads it:

- ``data:`` URIs are decoded;
- relative paths and ``file:`` URLs are read only from inside the input's own
  folder (after resolving ``..`` and symlinks), and only regular files;
- ``http``/``https`` are fetched unless ``offline``, never from loopback,
  link-local or private addresses unless ``allow_private``, with redirects
  re-checked, a timeout and a size cap per resource and per book;
- everything else is refused.

WeasyPrint gets the same policy through :meth:`ResourcePolicy.weasyprint_fetcher`
(its default fetcher would read any local file and the network).
"""
from __future__ import annotations

import base64
import ipaddress
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ResourceDenied

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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401 - urllib API
        return None


@dataclass
class ResourcePolicy:
    """What may be read for one export, and the reading of it."""

    root: Path | None = None
    offline: bool = False
    allow_private: bool = False
    timeout: float = 10.0
    max_bytes: int = 20_000_000
    max_total_bytes: int = 200_000_000
    max_redirects: int = 5
    _total: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, root: Path | None, settings) -> "ResourcePolicy":
        get = settings.get if hasattr(settings, "get") else lambda k, d=None: getattr(settings, k, d)
        return cls(
            root=root,
            offline=bool(get("offline", False)),
            allow_private=bool(get("allow_private", False)),
            timeout=float(get("fetch_timeout", 10.0) or 10.0),
            max_bytes=int(float(get("max_resource_mb", 20.0) or 20.0) * 1_000_000),
        )

    def for_root(self, root: Path | None) -> "ResourcePolicy":
        """The same policy confined to another input folder (each article of a book has its own)."""
        return ResourcePolicy(root=root, offline=self.offline, allow_private=self.allow_private,
                              timeout=self.timeout, max_bytes=self.max_bytes, max_total_bytes=self.max_total_bytes,
                              max_redirects=self.max_redirects)

    # --- public API -----------------------------------------------------------------------------
    def fetch(self, url: str) -> Resource:
        """Read ``url`` under the policy. Raises :class:`ResourceDenied` or :class:`ResourceUnavailable`."""
        if url in self._cache:
            return self._cache[url]
        scheme = urllib.parse.urlsplit(url).scheme.lower() if ":" in url[:12] else ""
        if scheme == "data":
            resource = self._data(url)
        elif scheme in ("", "file"):
            resource = self._file(url)
        elif scheme in ("http", "https"):
            resource = self._http(url)
        else:
            raise ResourceDenied(f"{_short(url)}: the {scheme!r} scheme is not allowed")
        self._count(len(resource.data), url)
        self._cache[url] = resource
        return resource

    def try_fetch(self, url: str) -> Resource | None:
        """``fetch``, or None when the resource is denied or unavailable (writers then keep alt text)."""
        try:
            return self.fetch(url)
        except (ResourceDenied, ResourceUnavailable):
            return None

    def weasyprint_fetcher(self):
        """A WeasyPrint URL fetcher that reads only through this policy."""
        from .writers._weasyprint import PolicyFetcher

        return PolicyFetcher(self)

    # --- schemes --------------------------------------------------------------------------------
    def _count(self, size: int, url: str) -> None:
        with self._lock:
            self._total += size
            if self._total > self.max_total_bytes:
                raise ResourceDenied(f"{_short(url)}: the book's resources exceed "
                                     f"{self.max_total_bytes / 1e6:.0f} MB in all")

    def _data(self, url: str) -> Resource:
        header, _, payload = url[5:].partition(",")
        if len(payload) > self.max_bytes * 4 // 3 + 4:
            raise ResourceDenied(f"data: URI over the {self.max_bytes / 1e6:.0f} MB resource limit")
        try:
            if header.endswith(";base64"):
                data = base64.b64decode(payload + "=" * (-len(payload) % 4), validate=False)
            else:
                data = urllib.parse.unquote_to_bytes(payload)
        except ValueError:
            raise ResourceUnavailable("data: URI cannot be decoded") from None
        hint = header.split(";")[0] or "text/plain"
        return Resource(url=url, data=data, media_type=sniff_media_type(data, hint))

    def _file(self, url: str) -> Resource:
        if self.root is None:
            raise ResourceDenied(f"{_short(url)}: local files are only read from the input's folder")
        parts = urllib.parse.urlsplit(url)
        raw = urllib.parse.unquote(parts.path if parts.scheme == "file" else url.split("#")[0].split("?")[0])
        if parts.scheme == "file" and parts.netloc not in ("", "localhost"):
            raise ResourceDenied(f"{_short(url)}: remote file: URLs are not allowed")
        root = self.root.resolve()
        candidate = Path(raw) if raw.startswith("/") else root / raw
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            raise ResourceUnavailable(f"{_short(url)}: no such file") from None
        if resolved != root and root not in resolved.parents:
            raise ResourceDenied(f"{_short(url)}: outside the input's folder")
        if not resolved.is_file():
            raise ResourceDenied(f"{_short(url)}: not a regular file")
        size = resolved.stat().st_size
        if size > self.max_bytes:
            raise ResourceDenied(f"{_short(url)}: {size / 1e6:.1f} MB is over the resource limit")
        data = resolved.read_bytes()
        import mimetypes

        return Resource(url=url, data=data, media_type=sniff_media_type(data, mimetypes.guess_type(resolved.name)[0]))

    def _http(self, url: str) -> Resource:
        if self.offline:
            raise ResourceUnavailable(f"{_short(url)}: offline")
        opener = urllib.request.build_opener(_NoRedirect())
        current = url
        for _ in range(self.max_redirects + 1):
            self._check_address(current)
            request = urllib.request.Request(current, headers={"User-Agent": "exporter (+article editions)"})
            try:
                response = opener.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as exc:
                if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                    current = urllib.parse.urljoin(current, exc.headers["Location"])
                    if urllib.parse.urlsplit(current).scheme not in ("http", "https"):
                        raise ResourceDenied(f"{_short(url)}: redirected to a non-web URL") from None
                    continue
                raise ResourceUnavailable(f"{_short(url)}: HTTP {exc.code}") from None
            except (urllib.error.URLError, OSError, ValueError) as exc:
                raise ResourceUnavailable(f"{_short(url)}: {exc}") from None
            with response:
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise ResourceDenied(f"{_short(url)}: larger than the resource limit")
                try:
                    data = response.read(self.max_bytes + 1)
                except (OSError, ValueError) as exc:
                    raise ResourceUnavailable(f"{_short(url)}: {exc}") from None
                if len(data) > self.max_bytes:
                    raise ResourceDenied(f"{_short(url)}: larger than the resource limit")
                return Resource(url=url, data=data,
                                media_type=sniff_media_type(data, response.headers.get("Content-Type")))
        raise ResourceUnavailable(f"{_short(url)}: too many redirects")

    def _check_address(self, url: str) -> None:
        """Refuse hosts that resolve to loopback, link-local, private or reserved addresses."""
        host = urllib.parse.urlsplit(url).hostname
        if not host:
            raise ResourceDenied(f"{_short(url)}: no host")
        if self.allow_private:
            return
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise ResourceUnavailable(f"{_short(url)}: {exc}") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
                    or address.is_multicast or address.is_unspecified):
                raise ResourceDenied(f"{_short(url)}: {address} is a private or local address "
                                     f"(use --allow-private to permit it)")


def _short(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"
