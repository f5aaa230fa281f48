"""Which link targets and image sources survive into the clean tree."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_INSIDE = re.compile(r"[\t\n\r\x00]+")
LINK_SCHEMES = ("http", "https", "mailto")
IMAGE_SCHEMES = ("http", "https")


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
#: C0 controls and the space: what browsers trim at the edges of a URL
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


#: An absolute http(s) link whose host part (up to the first ``/``, ``?`` or ``#``, as urlsplit reads it) is
#: ASCII, not empty and without brackets: urlsplit finds a network location in it and raises nothing, so
#: :func:`clean_href` keeps it as it is. Anything else (``HTTP:``, IPv6 brackets, a non-ASCII host that
#: urlsplit checks under NFKC, an empty host) takes the general rule.
_PLAIN_WEB = re.compile(r"https?://[^/?#\[\]\x80-\U0010ffff]+(?:[/?#]|\Z)")


def _scheme(url: str) -> str | None:
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


def clean_href(href: str | None, base_url: str | None = None) -> str | None:
    """A safe link target, or None: http(s), mailto and ``#fragment`` only.

    Relative links are resolved against the article's own URL when it is known
    and dropped otherwise (they would point nowhere in an edition).
    """
    if not href:
        return None
    # As browsers do: trim C0 controls and spaces at the edges, drop tabs/newlines inside
    # ("java\tscript:" is javascript:).
    href = href.strip(_C0_AND_SPACE)
    if "\t" in href or "\n" in href or "\r" in href or "\x00" in href:  # four scans in C: most links have none
        href = _INSIDE.sub("", href)
    if not href:
        return None
    if href.startswith("#"):
        return href if len(href) > 1 else None
    if _PLAIN_WEB.match(href):
        return href  # what the general rule below returns for it, without urlsplit (see _PLAIN_WEB)
    scheme = _scheme(href)
    if scheme is None:
        if base_url and _scheme(base_url) in ("http", "https"):
            href = joined_url(base_url, href)
            if href is None:
                return None
            scheme = _scheme(href)
        else:
            return None
    if scheme not in LINK_SCHEMES:
        return None
    if scheme in ("http", "https"):
        try:
            parts = urlsplit(href)
        except ValueError:
            return None
        if not parts.netloc:
            return None
    elif scheme == "mailto" and len(href) <= len("mailto:"):
        return None
    return href


def splits(url: str) -> bool:
    """Whether urlsplit reads ``url`` rather than raising ValueError (a host with a bracket left open or
    stray, a non-ASCII host that NFKC turns into a delimiter). Only such URLs are asked: an ASCII URL without
    brackets never raises."""
    if url.isascii() and "[" not in url and "]" not in url:
        return True
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def clean_src(src: str | None) -> str | None:
    """An image source worth keeping: http(s), ``data:image/…`` or a relative path, and one that urlsplit reads
    (the resource reader, the writers and the alt-text judge split it: ``//[x/a.png`` would stop them).

    Whether it may actually be read is the resource policy's decision, at write time.
    """
    if not src:
        return None
    src = src.strip()
    if not src:
        return None
    src = _usable_src(src)
    return src if src is not None and splits(src) else None


def _usable_src(src: str) -> str | None:
    """:func:`clean_src` but for urlsplit's reading: ``src`` (stripped, not empty) by its scheme."""
    scheme = _scheme(src)
    if scheme is None:
        if src.startswith("//"):
            return "https:" + src
        return src
    if scheme in IMAGE_SCHEMES:
        return src
    if scheme == "data":
        return src if re.match(r"data:image/[a-z0-9.+\-]+[;,]", src, re.IGNORECASE) else None
    if scheme == "file":
        return src  # the resource policy confines file: to the input's folder
    return None


def best_from_srcset(srcset: str | None) -> str | None:
    """The widest candidate of a ``srcset`` (``a.jpg 480w, b.jpg 960w``)."""
    if not srcset:
        return None
    best, best_score = None, -1.0
    for candidate in re.split(r",\s+", srcset.strip()):
        parts = candidate.strip().split()
        if not parts:
            continue
        score = 1.0
        if len(parts) > 1:
            match = re.match(r"([\d.]+)([wx])", parts[1])
            if match:
                try:
                    score = float(match.group(1))
                except ValueError:
                    score = 1.0
        if score > best_score:
            best, best_score = parts[0].rstrip(","), score
    return best


def joined_url(base: str, href: str) -> str | None:
    """``urljoin(base, href)``, or None where urlsplit refuses the address ("//[": an IPv6 host left open):
    the one join for addresses read from input, so that no such address is an internal error."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def page_base(page_url: str, base_href: str | None = None) -> str:
    """The base a fetched page's relative links and images resolve against: its ``<base href>`` (itself
    resolved against the page's address) when that is a web URL, else the page's own address."""
    if base_href:
        href = _INSIDE.sub("", base_href.strip())
        joined = (joined_url(page_url, href) or "") if href else ""
        if _scheme(joined) in ("http", "https"):
            return joined
    return page_url


def resolve_image_sources(tree, base_url: str) -> int:
    """Make the relative ``img/@src`` of ``tree`` absolute against ``base_url`` (a fetched page's images are
    on its server, never in a local folder); returns how many changed."""
    changed = 0
    for img in tree.iter("img"):
        src = img.get("src") or ""
        if src and _scheme(src) is None:
            img.set("src", urljoin(base_url, src))
            changed += 1
    return changed
